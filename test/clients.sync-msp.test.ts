import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientUseCases, type ClientUseCases } from '../src/app/clients.js';
import { openDirectoryStore } from '../src/clients/directory-store.js';
import { freshserviceDirectorySource } from '../src/clients/sync.js';
import type { ClientEntry } from '../src/clients/types.js';
import { fixedClock } from '../src/clock.js';
import { createFreshservice } from '../src/freshservice/index.js';
import { silentLogger } from '../src/logger.js';
import { createMailchimpHttp } from '../src/mailchimp/http.js';
import { createMailchimpMembers } from '../src/mailchimp/members.js';
import { LINKING_CASES, startSandbox, type LinkingSituation, type Sandbox } from '../src/sandbox/index.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/**
 * The same seeded companies run as a Freshservice for MSPs account: every company is a client workspace
 * with a primary contact and email domains, and its departments carry no prime or head user and no domains.
 */

let dataDir: string;
let sandbox: Sandbox;
let clients: ClientUseCases;
const clock = fixedClock('2026-11-25T12:00:00.000Z');

beforeAll(async () => {
  dataDir = await makeTempDir('clients-sync-msp-');
  sandbox = await startSandbox({ dataDir, clock, freshserviceMode: 'msp' });
  const freshservice = createFreshservice({ baseUrl: sandbox.freshservice.baseUrl, apiKey: sandbox.freshservice.apiKey, dataDir, clock, logger: silentLogger });
  const http = createMailchimpHttp({ baseUrl: sandbox.mailchimp.baseUrl, apiKey: sandbox.mailchimp.apiKey, logger: silentLogger, retryBaseMs: 1, maxRetries: 1 });
  clients = createClientUseCases({
    store: openDirectoryStore(dataDir),
    mailchimp: createMailchimpMembers(http, sandbox.mailchimp.audienceId),
    freshserviceSource: freshserviceDirectorySource(freshservice.directory),
    clock,
    config: { statusIfNew: 'subscribed' },
    approvers: [],
    logger: silentLogger,
  });
});

afterAll(async () => {
  await sandbox?.close();
  await removeTempDir(dataDir);
});

/**
 * As in Employee Support Mode, but the primary contact is the only person named: where the head user linked
 * before, the domain rule now finds her among colleagues on the same domain, and a person picks.
 */
const EXPECTED: Record<LinkingSituation, Partial<ClientEntry>> = {
  'prime-name': { state: 'linked', via: 'prime-name' },
  'prime-name-case': { state: 'linked', via: 'prime-name', email: 'charlie.bucket@wonka.com' },
  'extra-spaces': { state: 'linked', via: 'prime-name', email: 'art.vandelay@icloud.com' },
  'near-miss-diacritics': { state: 'linked', via: 'prime-name', email: 'zoe.muller@outlook.com' },
  'last-comma-first': { state: 'linked', via: 'prime-name', email: 'g.okafor@yahoo.com' },
  'head-name': { state: 'ambiguous', via: 'domain', reason: expect.stringContaining('alexia.ashford@umbrellahealth.com') },
  domain: { state: 'linked', via: 'domain', email: 'pepper.potts@stark-log.com' },
  'domain-empty-names': { state: 'linked', via: 'domain', email: 'it-helpdesk@cyberdyne.com' },
  'near-miss-spelling': { state: 'to-add', contactToAdd: { email: 'jon.smyth@waynedental.com', firstName: 'Jon', lastName: 'Smyth' } },
  unsubscribed: { state: 'problem', email: 'norman.osborn@oscorp.com' },
  cleaned: { state: 'problem', email: 'eldon.tyrell@tyrellcorp.com' },
  archived: { state: 'problem', email: 'nina.sharp@massivedynamic.com' },
  'to-add': { state: 'to-add', contactToAdd: { email: 'richard.hendricks@piedpiper.com', firstName: 'Richard', lastName: 'Hendricks' } },
  'no-contact': { state: 'no-contact' },
  'ambiguous-name': { state: 'ambiguous', via: 'prime-name' },
};

describe('client sync of an MSP-mode account', () => {
  it('has one client per client workspace, by the workspace id, and not the Default client or the MSP itself', async () => {
    const summary = await clients.syncClients();
    const entries = await clients.listClients();
    const workspaces = sandbox.freshservice.layout.workspaces.filter((workspace) => workspace.id > 3);
    expect(summary.clients).toBe(workspaces.length);
    expect(entries.map((entry) => [entry.id, entry.name]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(workspaces.map((workspace) => [workspace.id, workspace.name]));
  });

  it.each(LINKING_CASES.map((linkingCase) => [linkingCase.situation, linkingCase.department] as const))('%s: %s', async (situation, name) => {
    const entry = (await clients.listClients()).find((candidate) => candidate.name === name);
    expect(entry).toMatchObject(EXPECTED[situation]);
  });
});
