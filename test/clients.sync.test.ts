import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientUseCases } from '../src/app/clients.js';
import type { Actor } from '../src/app/ports.js';
import type { ClientEntry } from '../src/clients/types.js';
import type { DirectoryStore } from '../src/clients/directory-store.js';
import { formatClientTable, listClients } from '../src/cli/commands/clients.js';
import { Output } from '../src/cli/output.js';
import { ClientError } from '../src/clients/errors.js';
import { fixedClock } from '../src/clock.js';
import { FIRST_CLIENT_WORKSPACE_ID, type Sandbox, LINKING_CASES, type LinkingSituation } from '../src/sandbox/index.js';
import { clientsOnSandbox, type SandboxClients } from './support/sandbox-clients.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const dana: Actor = { platform: 'slack', id: 'U0DANA', name: 'Dana Whitfield' };

let dataDir: string;
let sandbox: Sandbox;
let store: DirectoryStore;
let clients: ClientUseCases;
const clock = fixedClock('2026-11-25T12:00:00.000Z');

beforeAll(async () => {
  dataDir = await makeTempDir('clients-sync-');
  ({ sandbox, store, clients } = await clientsOnSandbox({ dataDir, clock, approvers: [{ kind: 'slack', id: 'U0DANA' }], failFast: true }));
});

afterAll(async () => {
  await sandbox?.close();
  await removeTempDir(dataDir);
});

async function entryOf(name: string): Promise<ClientEntry> {
  const entry = (await clients.listClients()).find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no client named ${name}`);
  return entry;
}

/** What our rules conclude for each situation the sandbox world seeds (stricter than the prototype's). */
const EXPECTED: Record<LinkingSituation, Partial<ClientEntry>> = {
  'prime-name': { state: 'linked', via: 'prime-name' },
  'prime-name-case': { state: 'linked', via: 'prime-name', email: 'charlie.bucket@wonka.com' },
  'extra-spaces': { state: 'linked', via: 'prime-name', email: 'art.vandelay@icloud.com' },
  'near-miss-diacritics': { state: 'linked', via: 'prime-name', email: 'zoe.muller@outlook.com' },
  'last-comma-first': { state: 'linked', via: 'prime-name', email: 'g.okafor@yahoo.com' },
  'head-name': { state: 'linked', via: 'head-name', email: 'alexia.ashford@umbrellahealth.com' },
  domain: { state: 'linked', via: 'domain', email: 'pepper.potts@stark-log.com' },
  'domain-empty-names': { state: 'linked', via: 'domain', email: 'it-helpdesk@cyberdyne.com' },
  'near-miss-spelling': { state: 'to-add', contactToAdd: { email: 'jon.smyth@waynedental.com', firstName: 'Jon', lastName: 'Smyth' } },
  unsubscribed: { state: 'problem', email: 'norman.osborn@oscorp.com', reason: 'norman.osborn@oscorp.com is unsubscribed in Mailchimp' },
  cleaned: { state: 'problem', email: 'eldon.tyrell@tyrellcorp.com', reason: 'eldon.tyrell@tyrellcorp.com is cleaned in Mailchimp (its emails bounced)' },
  archived: { state: 'problem', email: 'nina.sharp@massivedynamic.com', reason: 'nina.sharp@massivedynamic.com is archived in Mailchimp' },
  'to-add': { state: 'to-add', contactToAdd: { email: 'richard.hendricks@piedpiper.com', firstName: 'Richard', lastName: 'Hendricks' } },
  'no-contact': { state: 'no-contact' },
  // Two members share the name; one has the prime user's own address, so that one is the match.
  'ambiguous-name': { state: 'linked', via: 'prime-name', email: 'michael.bluth@bluthcompany.com' },
};

describe('sync against the sandbox world', () => {
  it('lists every department and member in bulk: Mailchimp 1000 per page, no call per department', async () => {
    const summary = await clients.syncClients();
    expect(summary).toMatchObject({ at: '2026-11-25T12:00:00.000Z', clients: sandbox.freshservice.world.departments.length });
    expect(summary.members).toBe(sandbox.freshservice.world.audience.members.length);
    const mailchimpGets = sandbox.mailchimp.requests.filter((request) => request.method === 'GET');
    expect(mailchimpGets.every((request) => request.query.count === '1000')).toBe(true);
    expect(summary.requests.mailchimp).toBe(2);
    expect(sandbox.freshservice.requests.some((request) => /\/departments\/\d+/.test(request.path))).toBe(false);
    expect(summary.requests.freshservice).toBeLessThanOrEqual(6);
  });

  it.each(LINKING_CASES.map((linkingCase) => [linkingCase.situation, linkingCase.department] as const))('%s: %s', async (situation, department) => {
    expect(await entryOf(department)).toMatchObject(EXPECTED[situation]);
  });

  it('records that the rules made a link, and when', async () => {
    expect(await entryOf('Acme Corporation')).toMatchObject({ state: 'linked', linkedBy: 'sync', linkedAt: '2026-11-25T12:00:00.000Z', contactName: 'Wile Coyote' });
  });

  it('suggests the near-miss spelling for a person to confirm, never linking it', async () => {
    const wayne = await entryOf('Wayne Dental');
    const [best] = await clients.suggestContacts(wayne.id);
    expect(best).toMatchObject({ email: 'johnsmith1978@gmail.com', name: 'John Smith', reason: 'name 80 % like Jon Smyth', status: 'subscribed' });
    expect((await entryOf('Wayne Dental')).state).toBe('to-add');
  });

  it('keeps manual links and unlinks through every later sync, with who made them', async () => {
    const wayne = await entryOf('Wayne Dental');
    clock.set('2026-11-26T09:30:00.000Z');
    const picked = await clients.fixClient(dana, wayne.id, { kind: 'pick', email: 'johnsmith1978@gmail.com' });
    expect(picked).toMatchObject({ state: 'linked', via: 'manual', email: 'johnsmith1978@gmail.com', linkedBy: 'Dana Whitfield', linkedAt: '2026-11-26T09:30:00.000Z' });

    const stark = await entryOf('Stark Logistics');
    const unlinked = await clients.fixClient(dana, stark.id, { kind: 'unlink' });
    expect(unlinked).toMatchObject({ state: 'to-add' });

    clock.set('2026-11-27T02:00:00.000Z');
    await clients.syncClients();
    expect(await entryOf('Wayne Dental')).toMatchObject({ state: 'linked', via: 'manual', linkedBy: 'Dana Whitfield', linkedAt: '2026-11-26T09:30:00.000Z' });
    expect((await entryOf('Stark Logistics')).state).toBe('to-add');
    expect(await entryOf('Acme Corporation')).toMatchObject({ linkedAt: '2026-11-25T12:00:00.000Z' });
    expect((await store.read()).fixes).toEqual([
      { clientId: wayne.id, kind: 'pick', email: 'johnsmith1978@gmail.com', by: 'Dana Whitfield', actor: { platform: 'slack', id: 'U0DANA' }, at: '2026-11-26T09:30:00.000Z' },
      { clientId: stark.id, kind: 'unlink', by: 'Dana Whitfield', actor: { platform: 'slack', id: 'U0DANA' }, at: '2026-11-26T09:30:00.000Z' },
    ]);
  });

  it('lists only the clients needing attention with --unlinked', async () => {
    const unlinked = await clients.listClients({ unlinkedOnly: true });
    expect(unlinked.length).toBeGreaterThan(0);
    expect(unlinked.every((entry) => entry.state !== 'linked')).toBe(true);
    expect(unlinked.map((entry) => entry.name)).toContain('Oscorp');
  });

  it('changes nothing when Mailchimp fails halfway through a sync', async () => {
    const before = await store.read();
    const acme = sandbox.freshservice.world.departments.find((department) => department.name === 'Acme Corporation')!;
    acme.name = 'Acme Renamed';
    sandbox.mailchimp.controls.faults.serverErrorRate = 1;
    try {
      const failure = await clients.syncClients().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ClientError);
      expect((failure as Error).message).toMatch(/^The client sync failed, so the client list was left as it was: /);
    } finally {
      sandbox.mailchimp.controls.faults.serverErrorRate = 0;
      acme.name = 'Acme Corporation';
    }
    const after = await store.read();
    expect({ ...after, lastSyncFailure: undefined }).toEqual({ ...before, lastSyncFailure: undefined });
    expect(after.lastSyncFailure?.message).toBeTruthy();
    expect((await clients.findClient('Acme Renamed')).kind).not.toBe('found');
  });
});

describe('the clients CLI', () => {
  /** The command's output as the terminal would get it. */
  function printed(json = false): { out: Output; stdout: () => string } {
    let stdout = '';
    return { out: new Output({ stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } }, json), stdout: () => stdout };
  }

  it('prints a table with the state and contact, and the reasons of clients needing attention', async () => {
    const { out, stdout } = printed();
    await listClients(out, clients, { unlinked: true });
    const lines = stdout().split('\n');
    expect(lines[0]).toMatch(/^ID\s+CLIENT\s+STATE\s+EMAIL\s+VIA$/);
    expect(lines.find((line) => line.includes('Oscorp'))).toMatch(/! problem\s+norman\.osborn@oscorp\.com\s+prime-name/);
    expect(stdout()).toContain('Pied Piper: Richard Hendricks (prime user in Freshservice) is not in the Mailchimp audience');
    expect(stdout()).not.toContain('Acme Corporation');
    expect(formatClientTable([])).toBe('No clients.');
  });

  it('prints JSON with --json', async () => {
    const { out, stdout } = printed(true);
    await listClients(out, clients, {});
    expect(JSON.parse(stdout())).toHaveLength(sandbox.freshservice.world.departments.length);
  });
});

describe('sync of the same companies as a Freshservice for MSPs account', () => {
  let msp: SandboxClients;
  let mspDataDir: string;

  beforeAll(async () => {
    mspDataDir = await makeTempDir('clients-sync-msp-');
    msp = await clientsOnSandbox({ dataDir: mspDataDir, clock, approvers: [], freshserviceMode: 'msp' });
    await msp.clients.syncClients();
  });
  afterAll(async () => {
    await msp?.sandbox.close();
    await removeTempDir(mspDataDir);
  });

  it('has one client per client workspace, by the workspace id, and not the Default client or the MSP itself', async () => {
    const entries = await msp.clients.listClients();
    const workspaces = msp.sandbox.freshservice.layout.workspaces.filter((workspace) => workspace.id >= FIRST_CLIENT_WORKSPACE_ID);
    expect(entries.map((entry) => [entry.id, entry.name]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(workspaces.map((workspace) => [workspace.id, workspace.name]));
  });

  /**
   * As in Employee Support Mode, but the primary contact is the only person named: where the head user
   * linked before, the domain rule now finds her among colleagues on the same domain, and a person picks.
   */
  const EXPECTED_MSP: Record<LinkingSituation, Partial<ClientEntry>> = {
    ...EXPECTED,
    'head-name': { state: 'ambiguous', via: 'domain', reason: expect.stringContaining('alexia.ashford@umbrellahealth.com') },
  };

  it.each(LINKING_CASES.map((linkingCase) => [linkingCase.situation, linkingCase.department] as const))('%s: %s', async (situation, name) => {
    const entry = (await msp.clients.listClients()).find((candidate) => candidate.name === name);
    expect(entry).toMatchObject(EXPECTED_MSP[situation]);
  });
});
