import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../src/app/ports.js';
import type { ClientEntry } from '../src/clients/types.js';
import type { ClientUseCases } from '../src/app/clients.js';
import { ClientError } from '../src/clients/errors.js';
import { fixedClock } from '../src/clock.js';
import type { MailchimpHttp } from '../src/mailchimp/http.js';
import { subscriberHash } from '../src/mailchimp/members.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { clientsOnSandbox } from './support/sandbox-clients.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const priya: Actor = { platform: 'teams', id: 'aad-priya', name: 'Priya Raman' };

let dataDir: string;
let sandbox: Sandbox;
let http: MailchimpHttp;
let clients: ClientUseCases;
const clock = fixedClock('2026-11-25T12:00:00.000Z');

beforeAll(async () => {
  dataDir = await makeTempDir('clients-fix-');
  ({ sandbox, http, clients } = await clientsOnSandbox({ dataDir, clock, approvers: [{ kind: 'teams', id: 'aad-priya' }] }));
  await clients.syncClients();
});

beforeEach(() => sandbox.mailchimp.resetRequests());

afterAll(async () => {
  await sandbox?.close();
  await removeTempDir(dataDir);
});

async function idOf(name: string): Promise<number> {
  const found = await clients.findClient(name);
  if (found.kind !== 'found') throw new Error(`${name} not found`);
  return found.client.id;
}

function memberPath(email: string): string {
  return `/3.0/lists/${sandbox.mailchimp.audienceId}/members/${subscriberHash(email)}`;
}

async function refusal(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ClientError);
  return error as ClientError;
}

describe('adding the Freshservice contact to the audience', () => {
  it('upserts exactly the contact with status_if_new, tags it, and links the client', async () => {
    clock.set('2026-11-25T13:05:00.000Z');
    const entry = await clients.fixClient(priya, await idOf('Pied Piper'), { kind: 'add-to-audience' });

    const email = 'richard.hendricks@piedpiper.com';
    const [put, tag, ...rest] = sandbox.mailchimp.requests;
    expect(rest).toEqual([]);
    expect(put).toMatchObject({ method: 'PUT', path: memberPath(email), status: 200 });
    expect(put!.body).toEqual({ email_address: email, status_if_new: 'subscribed', merge_fields: { FNAME: 'Richard', LNAME: 'Hendricks' } });
    expect(tag).toMatchObject({ method: 'POST', path: `${memberPath(email)}/tags`, body: { tags: [{ name: 'integoreport', status: 'active' }] }, status: 204 });

    expect(sandbox.mailchimp.members().find((member) => member.email_address === email)).toMatchObject({ status: 'subscribed', tags: ['integoreport'] });
    expect(entry).toMatchObject<Partial<ClientEntry>>({ state: 'linked', email, via: 'manual', linkedBy: 'Priya Raman', linkedAt: '2026-11-25T13:05:00.000Z' });
    expect((await clients.listClients()).find((candidate) => candidate.name === 'Pied Piper')).toEqual(entry);
  });

  it('never re-subscribes someone who unsubscribed: the client stays a problem', async () => {
    const entry = await clients.fixClient(priya, await idOf('Oscorp'), { kind: 'add-to-audience' });
    const put = sandbox.mailchimp.requests.find((request) => request.method === 'PUT');
    expect(put!.body).not.toHaveProperty('status');
    expect(sandbox.mailchimp.members().find((member) => member.email_address === 'norman.osborn@oscorp.com')!.status).toBe('unsubscribed');
    expect(entry).toMatchObject({ state: 'problem', reason: 'norman.osborn@oscorp.com is unsubscribed in Mailchimp' });
  });

  it('shows a "forgotten" contact\'s refusal in Mailchimp\'s words and does not retry it', async () => {
    const email = 'eldon.tyrell@tyrellcorp.com';
    await http.post(`/lists/${sandbox.mailchimp.audienceId}/members/${subscriberHash(email)}/actions/delete-permanent`);
    sandbox.mailchimp.resetRequests();
    const error = await refusal(clients.fixClient(priya, await idOf('Tyrell Corp'), { kind: 'add-to-audience' }));
    expect(error.message).toBe(
      `Mailchimp refused to add ${email} to the audience: ${email} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list. [Forgotten Email Not Subscribed]`,
    );
    expect(sandbox.mailchimp.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
  });

  it('adds a typed email with the given name', async () => {
    const entry = await clients.fixClient(priya, await idOf('Dunder Mifflin'), { kind: 'add-to-audience', email: 'Michael.Scott@DunderMifflin.com', firstName: 'Michael', lastName: 'Scott' });
    expect(sandbox.mailchimp.requests[0]!.path).toBe(memberPath('michael.scott@dundermifflin.com'));
    expect(entry).toMatchObject({ state: 'linked', email: 'Michael.Scott@DunderMifflin.com', contactName: 'Michael Scott' });
  });
  it('takes the Freshservice name for a typed email of a Freshservice contact', async () => {
    const entry = await clients.fixClient(priya, await idOf('Wayne Dental'), { kind: 'add-to-audience', email: 'JON.SMYTH@waynedental.com' });
    expect(sandbox.mailchimp.requests[0]!.body).toEqual({ email_address: 'JON.SMYTH@waynedental.com', status_if_new: 'subscribed', merge_fields: { FNAME: 'Jon', LNAME: 'Smyth' } });
    expect(entry).toMatchObject({ state: 'linked', contactName: 'Jon Smyth' });
  });
});

describe('linking an existing member', () => {
  it('picks one of two same-named members for an ambiguous client', async () => {
    const id = await idOf('Bluth Company');
    const suggestions = await clients.suggestContacts(id);
    expect(suggestions.slice(0, 2).map((suggestion) => suggestion.email)).toEqual(['michael.bluth@bluthcompany.com', 'mbluth@gmail.com']);
    const entry = await clients.fixClient(priya, id, { kind: 'pick', email: suggestions[0]!.email });
    expect(entry).toMatchObject({ state: 'linked', via: 'manual', email: 'michael.bluth@bluthcompany.com' });
  });

  it('refuses a typed address that is not an email, or not in the audience, or unsubscribed, each with its own sentence', async () => {
    const id = await idOf('Hooli');
    const notEmail = await refusal(clients.fixClient(priya, id, { kind: 'email', email: 'gavin at hooli' }));
    expect(notEmail.message).toBe('"gavin at hooli" is not an email address; type one like jane@acme.com.');
    const absent = await refusal(clients.fixClient(priya, id, { kind: 'email', email: 'gavin@hooli.com' }));
    expect(absent.message).toBe('gavin@hooli.com is not in the Mailchimp audience, so it cannot be linked to Hooli as it is.');
    expect(absent).toMatchObject({ problem: 'not-in-audience', retryable: false });
    const unsubscribed = await refusal(clients.fixClient(priya, id, { kind: 'email', email: 'norman.osborn@oscorp.com' }));
    expect(unsubscribed.message).toBe('norman.osborn@oscorp.com is unsubscribed in Mailchimp, so reports would not reach it; pick another contact for Hooli.');
    expect(unsubscribed).toMatchObject({ problem: 'unreachable', retryable: false });
  });

  it('unlinks: the rules never pick an unlinked member again, and unlinking an unlinked client is refused', async () => {
    const id = await idOf('Initech');
    const first = await clients.fixClient(priya, id, { kind: 'unlink' });
    expect(first).toMatchObject({ state: 'linked', via: 'domain', email: 'siobhan.oduya@initech.com' });
    const unlinked = ['bill.lumbergh@initech.com'];
    let entry = first;
    while (entry.state === 'linked') {
      unlinked.push(entry.email!);
      entry = await clients.fixClient(priya, id, { kind: 'unlink' });
      expect(unlinked).not.toContain(entry.email);
    }
    expect(entry).toMatchObject({ state: 'to-add', contactName: 'Bill Lumbergh' });
    expect((await refusal(clients.fixClient(priya, id, { kind: 'unlink' }))).message).toBe('Initech is not linked to a Mailchimp contact, so there is nothing to unlink.');
    expect((await refusal(clients.fixClient(priya, 42, { kind: 'unlink' }))).message).toBe(
      'There is no client with id 42; run a sync if it was added in Freshservice recently.',
    );
  });
});
