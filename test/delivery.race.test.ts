import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startMailchimpSandbox, type FailableOperation, type FailureMode, type MailchimpSandbox, createRng, type Rng, type SandboxAudienceMember } from '../src/sandbox/index.js';
import { createMailchimpHttp, type MailchimpHttp } from '../src/mailchimp/http.js';
import { createTransactionalClient, type TransactionalClient } from '../src/mailchimp/transactional.js';
import { createDeliveryChannels } from '../src/mailchimp/delivery-channels.js';
import { createDelivery, type DeliverableReport, type Delivery } from '../src/app/delivery.js';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import type { Actor, SendOutcome } from '../src/app/ports.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const TRIALS = 200;
const LEASE_MS = 60_000;
const COPY_TO = 'reports@msp.example';
const approver: Actor = { platform: 'slack', id: 'U0BOSS', name: 'Bea Boss', email: 'bea@msp.example' };
const tester: Actor = { platform: 'teams', id: 'aad-ian', name: 'Ian', email: 'ian@msp.example' };
const clock = fixedClock('2026-11-03T09:00:00.000Z');
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

let sandbox: MailchimpSandbox;
let root: string;

function member(email: string, fname: string, lname: string): SandboxAudienceMember {
  return { email_address: email, status: 'subscribed', merge_fields: { FNAME: fname, LNAME: lname }, tags: [], last_changed: '2026-10-01T00:00:00+00:00' };
}

const clientEmail = (clientId: number) => `client-${clientId}@race.example`;

function reportFor(clientId: number): DeliverableReport {
  return {
    id: `${clientId}-2026-10-v1`,
    clientId,
    clientName: `Client ${clientId} <b>"Q&A"</b> *|ARCHIVE|*`,
    periodKey: '2026-10',
    periodLabel: 'October 2026',
    version: 1,
    emailHtml: `<html><body><h1>Client ${clientId} &lt;b&gt;&quot;Q&amp;A&quot;&lt;/b&gt; *|ARCHIVE|*</h1><p>*|IF:FNAME|*Dear *|FNAME|**|END:IF|*</p></body></html>`,
    createdAt: '2026-11-02T08:00:00.000Z',
  };
}

/** "The process died" at the `at`-th Mailchimp call: before it leaves, or after its effect, and nothing runs after that. */
interface CrashPlan {
  at: number;
  afterEffect: boolean;
}

function crashing<T extends object>(target: T, methods: Array<keyof T>, plan: CrashPlan, onCrash: () => void): T {
  let calls = 0;
  const wrapped = { ...target };
  for (const method of methods) {
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    (wrapped as Record<keyof T, unknown>)[method] = (...args: unknown[]) => {
      calls += 1;
      if (calls < plan.at) return original(...args);
      if (calls > plan.at) return never();
      onCrash();
      return plan.afterEffect ? original(...args).then(never, never) : never();
    };
  }
  return wrapped;
}

function makeInstance(dataDir: string, channel: 'campaign' | 'transactional', crash?: { plan: CrashPlan; onCrash: () => void }): Delivery {
  let http: MailchimpHttp = createMailchimpHttp({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, logger: silentLogger, timeoutMs: 80, retryBaseMs: 1, maxRetries: 2 });
  let transactional: TransactionalClient = createTransactionalClient({ ...sandbox.transactional, logger: silentLogger, timeoutMs: 80 });
  if (crash) {
    http = crashing(http, ['get', 'post', 'put', 'patch'], crash.plan, crash.onCrash);
    transactional = crashing(transactional, ['send', 'searchByMetadata'], crash.plan, crash.onCrash);
  }
  return createDelivery({
    channels: channel === 'campaign'
      ? createDeliveryChannels({ http, audienceId: sandbox.audienceId, fromName: 'Intego MSP', replyTo: 'service@msp.example' })
      : createDeliveryChannels({ transactional, fromName: 'Intego MSP', replyTo: 'service@msp.example', transactionalSettleMs: 90_000 }),
    config: { approvers: [{ kind: 'slack', id: 'U0BOSS' }, { kind: 'teams', id: 'aad-ian' }], report: { fromName: 'Intego MSP', replyTo: 'service@msp.example', copyTo: COPY_TO, linkSecret: 'x'.repeat(16), linkTtlDays: 30 } },
    dataDir,
    clock,
    leaseMs: LEASE_MS,
    loadReport: async (id) => reportFor(Number(id.split('-')[0])),
    resolveRecipient: async (clientId) => ({ email: clientEmail(clientId) }),
    currentReport: async () => undefined,
  });
}

function clientEmails(email: string) {
  return sandbox.outbox().filter((sent) => sent.kind !== 'test' && sent.to.includes(email));
}

const CAMPAIGN_FAULTS: FailableOperation[] = ['campaign.create', 'campaign.content', 'campaign.send'];
const MODES: FailureMode[] = ['timeout', 'error-after-effect', 'error-before-effect'];

interface TrialReport {
  emails: number;
  /** Requests the sandbox left unanswered (status 0) or failed with a 5xx in this trial. */
  faultsHit: number;
  status: string;
  crashed: boolean;
  rounds: number;
}

async function runTrial(trial: number, rng: Rng): Promise<TrialReport> {
  const clientId = 1000 + trial;
  const report = reportFor(clientId);
  const dataDir = await fs.mkdtemp(path.join(root, `trial-${trial}-`));
  const channel = rng.chance(0.3) ? 'transactional' : 'campaign';
  const faults = channel === 'campaign' ? CAMPAIGN_FAULTS : (['transactional.send'] as FailableOperation[]);
  for (let count = rng.int(0, 2); count > 0; count -= 1) sandbox.failNext(rng.pick(faults), rng.pick(MODES));

  let crashed = false;
  let markCrashed: () => void = () => undefined;
  const crashSeen = new Promise<void>((resolve) => {
    markCrashed = () => {
      crashed = true;
      resolve();
    };
  });
  const crash = rng.chance(0.5) ? { plan: { at: rng.int(1, 6), afterEffect: rng.chance(0.5) }, onCrash: markCrashed } : undefined;
  const first = makeInstance(dataDir, channel, crash);
  const neighbour = makeInstance(dataDir, channel);

  // Round 1: many approvals at once (double clicks, retried chat requests, a second process), maybe a test send.
  const approvals = rng.pick([1, 2, 5, 50]);
  const onFirst: Array<Promise<unknown>> = [];
  const onNeighbour: Array<Promise<unknown>> = [];
  for (let index = 0; index < approvals; index += 1) {
    if (rng.chance(0.7)) onFirst.push(first.sendReport(approver, report.id));
    else onNeighbour.push(neighbour.sendReport(approver, report.id));
  }
  if (rng.chance(0.2)) onNeighbour.push(neighbour.sendTest(tester, report.id, tester.email!));
  await Promise.allSettled(onNeighbour);
  await Promise.race([Promise.allSettled(onFirst), crashSeen]);

  // Recovery: time passes beyond any dead holder's lease; a restarted process resumes, people click again.
  let rounds = 0;
  for (; rounds < 8; rounds += 1) {
    const [row] = await neighbour.sendsFor(clientId);
    if (row?.status === 'sent') break;
    clock.advance(LEASE_MS + 1);
    const restarted = makeInstance(dataDir, channel);
    const work: Array<Promise<unknown>> = [restarted.resumePendingSends()];
    for (let index = rng.int(0, 3); index > 0; index -= 1) work.push(rng.chance(0.5) ? restarted.sendReport(approver, report.id) : neighbour.sendReport(approver, report.id));
    await Promise.all(work);
  }
  const last: SendOutcome = await makeInstance(dataDir, channel).sendReport(approver, report.id);
  const [row] = await neighbour.sendsFor(clientId);
  if (last.kind !== 'already-sent') throw new Error(`trial ${trial}: a click after the send gave ${JSON.stringify(last)}`);
  const faultsHit = sandbox.requests.filter((request) => request.status === 0 || request.status >= 500).length;
  return { emails: clientEmails(clientEmail(clientId)).length, faultsHit, status: row?.status ?? 'none', crashed, rounds };
}

beforeAll(async () => {
  root = await makeTempDir('integoreport-delivery-race-');
  const members = [member(COPY_TO, 'Report', 'Copies'), member('inert@race.example', 'Ina', 'Inert')];
  for (let trial = 0; trial < TRIALS; trial += 1) members.push(member(clientEmail(1000 + trial), 'Client', String(trial)));
  sandbox = await startMailchimpSandbox({ members, listId: 'race01list', clock });
});

afterAll(async () => {
  await sandbox?.close();
  await removeTempDir(root);
});

describe('exactly one client email, whatever happens between Mailchimp calls', () => {
  it('delivers subject and body with *|ARCHIVE|*, HTML and quotes inert, on both channels and in a test', async () => {
    for (const channel of ['campaign', 'transactional'] as const) {
      const clientId = channel === 'campaign' ? 1 : 2;
      const dataDir = await fs.mkdtemp(path.join(root, `inert-${channel}-`));
      const delivery = createDelivery({
        channels: channel === 'campaign'
          ? createDeliveryChannels({ http: createMailchimpHttp({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, logger: silentLogger }), audienceId: sandbox.audienceId, fromName: 'Intego MSP', replyTo: 'service@msp.example' })
          : createDeliveryChannels({ transactional: createTransactionalClient({ ...sandbox.transactional, logger: silentLogger }), fromName: 'Intego MSP', replyTo: 'service@msp.example' }),
        config: { approvers: [{ kind: 'slack', id: 'U0BOSS' }, { kind: 'teams', id: 'aad-ian' }], report: { fromName: 'Intego MSP', replyTo: 'service@msp.example', copyTo: COPY_TO, linkSecret: 'x'.repeat(16), linkTtlDays: 30 } },
        dataDir,
        clock,
        loadReport: async () => ({ ...reportFor(clientId), id: `${clientId}-2026-10-v1` }),
        resolveRecipient: async () => ({ email: 'inert@race.example' }),
        currentReport: async () => undefined,
      });
      expect(await delivery.sendTest(tester, `${clientId}-2026-10-v1`, tester.email!)).toMatchObject({ kind: 'sent' });
      expect(await delivery.sendReport(approver, `${clientId}-2026-10-v1`)).toMatchObject({ kind: 'sent' });
    }
    const delivered = sandbox.outbox().filter((email) => email.to.includes('inert@race.example') || email.to.includes(tester.email!)).slice(-4);
    expect(delivered.map((email) => email.kind).sort()).toEqual(['campaign', 'test', 'transactional', 'transactional']);
    for (const email of delivered) {
      expect(email.subject.replace(/\u200D/g, '')).toMatch(/<b>"Q&A"<\/b> \*\|ARCHIVE\|\* — October 2026$/);
      expect(email.subject).not.toContain('campaign-archive');
      expect(email.html).toContain('&lt;b&gt;&quot;Q&amp;A&quot;&lt;/b&gt; &#42;|ARCHIVE|&#42;');
      expect(email.html).toContain('&#42;|IF:FNAME|&#42;Dear &#42;|FNAME|&#42;&#42;|END:IF|&#42;');
      expect(email.html).not.toContain('campaign-archive');
      expect(email.html).not.toContain('Dear Ina');
    }
  });

  it(`holds over ${TRIALS} seeded trials of concurrent approvals, injected timeouts/errors and crashes after each step`, async () => {
    const rng = createRng(20261125);
    const results: TrialReport[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      sandbox.resetRequests();
      results.push(await runTrial(trial, rng));
    }
    const wrong = results.map((result, trial) => ({ trial, ...result })).filter((result) => result.emails !== 1 || result.status !== 'sent');
    expect(wrong).toEqual([]);
    const crashes = results.filter((result) => result.crashed).length;
    const faulty = results.filter((result) => result.faultsHit > 0).length;
    console.log(`delivery.race trials=${results.length} crashes=${crashes} with-faults=${faulty} needed-recovery=${results.filter((result) => result.rounds > 0).length} client-emails-each=1`);
    expect(crashes).toBeGreaterThan(TRIALS / 10);
    expect(faulty).toBeGreaterThan(TRIALS / 4);
  }, 180_000);
});
