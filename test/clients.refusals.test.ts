import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/app/ports.js';
import { createClientUseCases, type ClientUseCases } from '../src/app/clients.js';
import { openDirectoryStore } from '../src/clients/directory-store.js';
import { ClientError } from '../src/clients/errors.js';
import { linkDirectory, type DirectoryClient } from '../src/clients/linking.js';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { createMailchimpHttp, type MailchimpHttp } from '../src/mailchimp/http.js';
import { createMailchimpMembers, subscriberHash } from '../src/mailchimp/members.js';
import { useNock } from './support/nock.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const BASE = 'https://us6.api.mailchimp.com/3.0';
const LIST = 'aud123';
const EMAIL = 'jane.doe@acme.com';
const actor: Actor = { platform: 'cli', id: 'ops', name: 'ops' };
const acme: DirectoryClient = { id: 1, name: 'Acme', domains: ['acme.com'], prime: { firstName: 'Jane', lastName: 'Doe', email: EMAIL } };

let dataDir: string;
let http: MailchimpHttp;
let clients: ClientUseCases;

useNock();

beforeAll(async () => {
  dataDir = await makeTempDir('clients-refusals-');
  const store = openDirectoryStore(dataDir);
  await store.update((data) => {
    const linked = linkDirectory({ ...data, clients: [acme] }, '2026-11-01T00:00:00.000Z');
    Object.assign(data, { clients: [acme], entries: linked.entries, autoLinks: linked.autoLinks });
    data.lastSync = { at: '2026-11-01T00:00:00.000Z', clients: 1, members: 0, linked: 0, requests: { freshservice: 0, mailchimp: 0 } };
  });
  http = createMailchimpHttp({ baseUrl: BASE, apiKey: 'k-us6', logger: silentLogger, retryBaseMs: 1 });
  clients = createClientUseCases({
    store,
    mailchimp: createMailchimpMembers(http, LIST),
    freshserviceSource: { clients: () => Promise.reject(new Error('not used')) },
    clock: fixedClock('2026-11-25T12:00:00.000Z'),
    config: { statusIfNew: 'subscribed' },
    approvers: [],
    logger: silentLogger,
  });
});

afterAll(async () => {
  await removeTempDir(dataDir);
});

function refuse(title: string, detail: string, extra: Record<string, unknown> = {}) {
  return nock(BASE)
    .put(`/lists/${LIST}/members/${subscriberHash(EMAIL)}`)
    .reply(400, { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title, status: 400, detail, instance: 'i-1', ...extra }, { 'Content-Type': 'application/problem+json' });
}

async function addToAudience(): Promise<ClientError> {
  const requestsBefore = http.stats().requests;
  const error = await clients.fixClient(actor, 1, { kind: 'add-to-audience' }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ClientError);
  expect(http.stats().requests - requestsBefore).toBe(1);
  return error as ClientError;
}

describe('Mailchimp refusals when adding a contact: shown as they are, never retried', () => {
  it('compliance state', async () => {
    refuse('Member In Compliance State', `${EMAIL} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`);
    expect((await addToAudience()).message).toBe(
      `Mailchimp refused to add ${EMAIL} to the audience: ${EMAIL} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed. [Member In Compliance State]`,
    );
  });

  it('forgotten email', async () => {
    refuse('Forgotten Email Not Subscribed', `${EMAIL} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.`);
    expect((await addToAudience()).message).toBe(
      `Mailchimp refused to add ${EMAIL} to the audience: ${EMAIL} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list. [Forgotten Email Not Subscribed]`,
    );
  });

  it('invalid resource, with the field Mailchimp complained about', async () => {
    refuse('Invalid Resource', 'Your merge fields were invalid.', { errors: [{ field: 'PHONE', message: 'Please enter a complete phone number.' }] });
    expect((await addToAudience()).message).toBe(
      `Mailchimp refused to add ${EMAIL} to the audience: Your merge fields were invalid. (PHONE: Please enter a complete phone number.) [Invalid Resource]`,
    );
  });

  it('leaves the client as it was after a refusal', async () => {
    expect((await clients.listClients())[0]).toMatchObject({ state: 'to-add', contactToAdd: { email: EMAIL } });
  });

  it('retries the idempotent upsert after a 503 and then links the client', async () => {
    nock(BASE)
      .put(`/lists/${LIST}/members/${subscriberHash(EMAIL)}`)
      .reply(503, 'busy')
      .put(`/lists/${LIST}/members/${subscriberHash(EMAIL)}`)
      .reply(200, { email_address: EMAIL, status: 'subscribed', merge_fields: { FNAME: 'Jane', LNAME: 'Doe' } })
      .post(`/lists/${LIST}/members/${subscriberHash(EMAIL)}/tags`)
      .reply(204);
    expect(await clients.fixClient(actor, 1, { kind: 'add-to-audience' })).toMatchObject({ state: 'linked', email: EMAIL, via: 'manual', linkedBy: 'ops' });
  });
});
