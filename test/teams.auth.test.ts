import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { ConversationStore } from '../src/store/conversations.js';
import { mountTeams, type TeamsMount } from '../src/chat/teams/mount.js';
import { mountPlayground } from '../src/server/playground/index.js';
import { createFakeServices } from './support/fake-services.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const APP_ID = '5f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const TENANT_ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A Bot Framework channel token signed with `key` (what Teams' connector puts in Authorization). */
function channelToken(key: KeyObject, kid: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify({ iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: SERVICE_URL, nbf: now - 60, exp: now + 3600, ...claims }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}

describe('Teams endpoint with MICROSOFT_APP_ID/PASSWORD configured', () => {
  const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let dataDir: string;
  let server: HttpServer;
  let teams: TeamsMount;
  /** Installed before the first request, so it sees whatever reaches the console while tokens are checked. */
  const consoleErrors = vi.spyOn(console, 'error');

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    nock('https://login.botframework.com')
      .persist()
      .get('/v1/.well-known/openidconfiguration')
      .reply(200, { issuer: 'https://api.botframework.com', jwks_uri: 'https://login.botframework.com/v1/.well-known/keys', id_token_signing_alg_values_supported: ['RS256'] })
      .get('/v1/.well-known/keys')
      .reply(200, { keys: [{ ...trusted.publicKey.export({ format: 'jwk' }), kid: 'trusted-key', use: 'sig', endorsements: ['msteams'] }] });

    dataDir = await makeTempDir('integoreport-teams-auth-');
    const routes = createRoutes();
    server = await listen(routes, 0, '127.0.0.1');
    const config = loadConfig({
      DATA_DIR: dataDir,
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'test-client-secret-value',
      MICROSOFT_APP_TENANT_ID: TENANT_ID,
      REPORT_LINK_SECRET: 'teams-auth-link-secret-0123456789',
    });
    teams = await mountTeams(routes, {
      services: createFakeServices({ clock: systemClock }),
      config,
      logger: silentLogger,
      clock: systemClock,
      conversations: new ConversationStore(dataDir, systemClock),
    });
    mountPlayground(routes, { config, logger: silentLogger });
  });

  afterAll(async () => {
    consoleErrors.mockRestore();
    await teams?.close();
    await server?.close();
    nock.cleanAll();
    nock.enableNetConnect();
    await removeTempDir(dataDir);
  });

  const activity = {
    type: 'typing',
    id: 'activity-1',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: '29:someone', name: 'Someone' },
    recipient: { id: `28:${APP_ID}`, name: 'IntegoReport' },
    conversation: { id: 'a:personal', conversationType: 'personal', tenantId: TENANT_ID },
  };

  async function post(authorization?: string, body: object = activity): Promise<number> {
    const response = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  }

  it('knows it requires Bot Framework tokens', () => {
    expect(teams.mode).toBe('bot-framework');
  });

  it('refuses an activity with no token, a garbage, a foreign or an expired token; Bot Framework\'s own console output stays quiet', async () => {
    expect(await post()).toBe(401);
    expect(await post('Bearer not-a-jwt'), 'garbage').toBe(401);
    expect(await post(`Bearer ${channelToken(stranger.privateKey, 'trusted-key')}`), 'stranger').toBe(401);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    expect(await post(`Bearer ${channelToken(trusted.privateKey, 'trusted-key', { nbf: hourAgo - 60, exp: hourAgo })}`), 'expired').toBe(401);
    expect(consoleErrors).not.toHaveBeenCalled();
  });

  it('refuses a correctly signed token meant for another bot or another serviceUrl', async () => {
    expect(await post(`Bearer ${channelToken(trusted.privateKey, 'trusted-key', { aud: '00000000-0000-0000-0000-000000000000' })}`)).toBe(401);
    expect(await post(`Bearer ${channelToken(trusted.privateKey, 'trusted-key', { serviceurl: 'https://evil.example/' })}`)).toBe(401);
  });

  it('accepts an activity carrying a valid Bot Framework token', async () => {
    expect(await post(`Bearer ${channelToken(trusted.privateKey, 'trusted-key')}`)).toBe(200);
  });

  it('turns the playground off, since it cannot sign activities', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).toContain('The playground is off because MICROSOFT_APP_ID is set');
  });
});
