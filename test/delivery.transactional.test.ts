import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { createTransactionalClient, type TransactionalClient } from '../src/mailchimp/transactional.js';
import { createDeliveryChannels } from '../src/mailchimp/delivery-channels.js';
import { createDelivery, type DeliverableReport } from '../src/app/delivery.js';
import { readAudit } from '../src/store/audit.js';
import { fixedClock } from '../src/clock.js';
import { createLogger, silentLogger } from '../src/logger.js';
import type { Actor } from '../src/app/ports.js';
import { startMailchimpSandbox, type MailchimpSandbox, type SandboxAudienceMember } from '../src/sandbox/index.js';
import { useNock } from './support/nock.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const API = 'https://mandrillapp.com';
const approver: Actor = { platform: 'slack', id: 'U0BOSS', name: 'Bea Boss', email: 'bea@msp.example' };
const report: DeliverableReport = {
  id: '7-2026-10-v2',
  clientId: 7,
  clientName: 'Globex *|FNAME|*',
  periodKey: '2026-10',
  periodLabel: 'October 2026',
  version: 2,
  emailHtml: '<p>Globex *|UNSUB|*</p>',
  createdAt: '2026-11-02T08:00:00.000Z',
};
const KEY = 'ir:7:2026-10:v2';

let dataDir: string;

function setup(clock = fixedClock('2026-11-03T09:00:00.000Z'), transactional: TransactionalClient = createTransactionalClient({ baseUrl: `${API}/api/1.0`, apiKey: 'md-secret-key', logger: silentLogger }), sent: DeliverableReport = report) {
  return createDelivery({
    channels: createDeliveryChannels({ transactional, fromName: 'Intego MSP', replyTo: 'service@msp.example' }),
    config: { approvers: [{ kind: 'slack', id: 'U0BOSS' }], report: { fromName: 'Intego MSP', replyTo: 'service@msp.example', copyTo: 'reports@msp.example', linkSecret: 'x'.repeat(16), linkTtlDays: 30 } },
    dataDir,
    clock,
    loadReport: async (id) => (id === sent.id ? sent : undefined),
    resolveRecipient: async () => ({ email: 'ops@globex.example' }),
    currentReport: async () => undefined,
  });
}

/** `/metadata/list` answers that report_key is indexed: each new client asks once, before its first send or search. */
function searchIndexReady() {
  return nock(API).post('/api/1.0/metadata/list').reply(200, [{ name: 'report_key', state: 'active', view_template: '' }]);
}

useNock({ loopback: true });

beforeEach(async () => {
  dataDir = await makeTempDir('integoreport-delivery-tx-');
});

afterEach(async () => {
  await removeTempDir(dataDir);
});

describe('sending a report through Mailchimp Transactional', () => {
  it('sends one message with merge off, the ledger key in metadata, to the client and the internal copy', async () => {
    const delivery = setup();
    let sent: any;
    searchIndexReady();
    nock(API)
      .post('/api/1.0/messages/send', (body) => {
        sent = body;
        return true;
      })
      .reply(200, [
        { email: 'ops@globex.example', status: 'sent', reject_reason: null, _id: 'm1' },
        { email: 'reports@msp.example', status: 'queued', reject_reason: null, _id: 'm2' },
      ]);

    const outcome = await delivery.sendReport(approver, report.id);

    expect(outcome).toMatchObject({ kind: 'sent', send: { status: 'sent', mailchimpId: 'm1', to: ['ops@globex.example', 'reports@msp.example'] } });
    expect(sent).toEqual({
      key: 'md-secret-key',
      message: {
        subject: 'Your Monthly Service Report: Globex *\u200D|FNAME|\u200D* — October 2026',
        html: '<p>Globex &#42;|UNSUB|&#42;</p>',
        from_email: 'service@msp.example',
        from_name: 'Intego MSP',
        to: [
          { email: 'ops@globex.example', type: 'to' },
          { email: 'reports@msp.example', type: 'to' },
        ],
        headers: { 'Reply-To': 'service@msp.example' },
        merge: false,
        tags: ['integoreport'],
        metadata: { report_key: KEY, kind: 'report' },
      },
    });
    expect((await delivery.sendsFor(7))[0]).toMatchObject({ key: KEY, channel: 'transactional', status: 'sent', messageIds: ['m1', 'm2'] });
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'already-sent' });
  });

  it('reports a rejection inside a 200 answer as a failure with Mailchimp\'s reason, and may be tried again later', async () => {
    const delivery = setup();
    searchIndexReady();
    nock(API)
      .post('/api/1.0/messages/send')
      .reply(200, [
        { email: 'ops@globex.example', status: 'rejected', reject_reason: 'unsub', _id: 'm1' },
        { email: 'reports@msp.example', status: 'sent', reject_reason: null, _id: 'm2' },
      ]);

    const outcome = await delivery.sendReport(approver, report.id);

    expect(outcome).toEqual({ kind: 'failed', reason: 'Mailchimp Transactional rejected ops@globex.example: unsub.' });
    expect((await delivery.sendsFor(7))[0]).toMatchObject({ status: 'failed', error: 'Mailchimp Transactional rejected ops@globex.example: unsub.' });
    expect((await readAudit(dataDir))[0]).toMatchObject({ action: 'report.send', outcome: 'failed', detail: 'Mailchimp Transactional rejected ops@globex.example: unsub.' });

    // A later attempt first checks that nothing reached the client under this key, then sends.
    let searched: any;
    nock(API)
      .post('/api/1.0/messages/search', (body) => {
        searched = body;
        return true;
      })
      .reply(200, [{ _id: 'm1', ts: 1, email: 'ops@globex.example', subject: 's', state: 'rejected', reject: { reason: 'unsub' }, metadata: { report_key: KEY } }])
      .post('/api/1.0/messages/send')
      .reply(200, [{ email: 'ops@globex.example', status: 'sent', _id: 'm3' }, { email: 'reports@msp.example', status: 'sent', _id: 'm4' }]);
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'sent', send: { mailchimpId: 'm3' } });
    expect(searched).toMatchObject({ query: `u_report_key:"${KEY}"`, date_from: '2026-11-01' });
  });

  it('counts the send as done when only the internal copy is rejected, and says so', async () => {
    const delivery = setup();
    searchIndexReady();
    nock(API)
      .post('/api/1.0/messages/send')
      .reply(200, [
        { email: 'ops@globex.example', status: 'sent', _id: 'm1' },
        { email: 'reports@msp.example', status: 'rejected', reject_reason: 'hard_bounce', _id: 'm2' },
      ]);

    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'sent' });
    expect((await delivery.sendsFor(7))[0]!.notes).toEqual(['The copy to reports@msp.example was rejected (hard_bounce).']);
  });

  it('after an unanswered send, looks the key up and never sends a second message', async () => {
    const delivery = setup();
    let sends = 0;
    searchIndexReady();
    nock(API)
      .post('/api/1.0/messages/send')
      .reply(() => {
        sends += 1;
        return [500, { status: 'error', code: -1, name: 'GeneralError', message: 'An unexpected error occurred processing the request.' }];
      })
      .post('/api/1.0/messages/search')
      .reply(200, [{ _id: 'm1', ts: 1, email: 'ops@globex.example', subject: 's', state: 'sent', reject: null, metadata: { report_key: KEY } }]);

    const outcome = await delivery.sendReport(approver, report.id);

    expect(sends).toBe(1);
    expect(outcome).toMatchObject({ kind: 'already-sent', send: { status: 'sent', mailchimpId: 'm1' } });
  });

  it('when the search cannot find an unanswered send yet, waits for it to settle before sending again', async () => {
    const clock = fixedClock('2026-11-03T09:00:00.000Z');
    const delivery = setup(clock);
    let sends = 0;
    searchIndexReady();
    nock(API)
      .post('/api/1.0/messages/send')
      .reply(() => {
        sends += 1;
        return [502, '<html>Bad Gateway</html>'];
      })
      .post('/api/1.0/messages/search').times(2).reply(200, []);

    const outcome = await delivery.sendReport(approver, report.id);
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/Could not confirm .*in about 5 min/);
    clock.advance(60_000);
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'failed' });
    expect(sends).toBe(1);
    expect((await delivery.sendsFor(7))[0]).toMatchObject({ status: 'requested', uncertain: true });

    clock.advance(5 * 60_000);
    nock(API)
      .post('/api/1.0/messages/search').reply(200, [])
      .post('/api/1.0/messages/send').reply(200, [{ email: 'ops@globex.example', status: 'sent', _id: 'm9' }]);
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'sent', send: { mailchimpId: 'm9' } });
  });

  it('treats Mailchimp\'s named refusal as a failure without retrying', async () => {
    const delivery = setup();
    searchIndexReady();
    nock(API).post('/api/1.0/messages/send').reply(400, { status: 'error', code: -2, name: 'ValidationError', message: 'Validation error: {"message":{"from_email":"An email address must contain a single @"}}' });

    expect(await delivery.sendReport(approver, report.id)).toEqual({ kind: 'failed', reason: 'Mailchimp Transactional said: Validation error: {"message":{"from_email":"An email address must contain a single @"}}' });
    expect(nock.isDone()).toBe(true);
  });
});

describe('duplicate protection against the simulated Mailchimp Transactional', () => {
  const clock = fixedClock('2026-11-03T09:00:00.000Z');
  let sandbox: MailchimpSandbox;
  let logLines: Array<{ level: number; msg: string }>;

  const member = (email: string): SandboxAudienceMember => ({ email_address: email, status: 'subscribed', merge_fields: { FNAME: 'Ops', LNAME: 'Team' }, tags: [], last_changed: '2026-10-01T00:00:00+00:00' });
  const call = async (path: string, body: Record<string, unknown> = {}) => {
    const response = await fetch(`${sandbox.transactional.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: sandbox.transactional.apiKey, ...body }) });
    return { status: response.status, body: await response.json() };
  };
  const clientEmails = () => sandbox.outbox().filter((email) => email.to.includes('ops@globex.example'));
  const client = () => {
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(JSON.parse(line)) } });
    return createTransactionalClient({ ...sandbox.transactional, logger, timeoutMs: 200 });
  };

  beforeEach(async () => {
    logLines = [];
    sandbox = await startMailchimpSandbox({ members: [member('ops@globex.example'), member('reports@msp.example')], listId: 'tx01list', clock });
  });

  afterEach(async () => {
    await sandbox.close();
  });

  it('at start-up, indexes report_key once and says so in the log, before anything is sent', async () => {
    const channels = createDeliveryChannels({ transactional: client(), fromName: 'Intego MSP', replyTo: 'service@msp.example' });
    await channels.transactional!.prepare!();
    await channels.transactional!.prepare!();

    expect((await call('/metadata/list')).body).toEqual([{ name: 'report_key', state: 'active', view_template: '' }]);
    expect(sandbox.requests.map((request) => request.path)).toEqual(['/transactional/api/1.0/metadata/list', '/transactional/api/1.0/metadata/add', '/transactional/api/1.0/metadata/list', '/transactional/api/1.0/metadata/list']);
    expect(logLines.filter((line) => line.msg.includes('added the metadata field report_key to the search index'))).toHaveLength(1);
    expect(sandbox.outbox()).toEqual([]);
  });

  it('attaches the PDF (REPORT_ATTACH_PDF) to the client\'s email and to a test, as the documented {type, name, content}', async () => {
    const pdf = Buffer.from('%PDF-1.7 a small report');
    const withPdf: DeliverableReport = { ...report, attachments: [{ name: 'Globex – October 2026 service report.pdf', type: 'application/pdf', content: pdf }] };
    const delivery = setup(clock, client(), withPdf);

    expect(await delivery.sendTest(approver, report.id, 'bea@msp.example')).toMatchObject({ kind: 'sent' });
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'sent' });

    const sends = sandbox.requests.filter((request) => request.path === '/transactional/api/1.0/messages/send');
    expect(sends).toHaveLength(2);
    for (const request of sends) {
      expect((request.body as { message: { attachments: unknown } }).message.attachments).toEqual([{ type: 'application/pdf', name: 'Globex – October 2026 service report.pdf', content: pdf.toString('base64') }]);
    }
    expect(clientEmails()[0]!.attachments).toEqual([{ name: 'Globex – October 2026 service report.pdf', type: 'application/pdf', size: pdf.length }]);
    expect((await call('/messages/send', { message: { to: [{ email: 'ops@globex.example' }], from_email: 'service@msp.example', attachments: [{ name: 'x.pdf', content: 'not base64!' }] } })).status).toBe(400);
  });

  it('indexes report_key before the first send and says so, so an unanswered send is found and not sent again', async () => {
    const delivery = setup(clock, client());
    sandbox.failNext('transactional.send', 'timeout');

    const outcome = await delivery.sendReport(approver, report.id);

    expect(outcome).toMatchObject({ kind: 'already-sent', send: { status: 'sent' } });
    expect(clientEmails()).toHaveLength(1);
    expect((await call('/metadata/list')).body).toEqual([{ name: 'report_key', state: 'active', view_template: '' }]);
    expect(logLines.find((line) => line.msg.includes('added the metadata field report_key'))).toMatchObject({ level: 30 });
    clock.advance(10 * 60_000);
    expect(await setup(clock, client()).sendReport(approver, report.id)).toMatchObject({ kind: 'already-sent' });
    expect(clientEmails()).toHaveLength(1);
  });

  it('sends nothing while report_key is still being indexed, and sends once it is searchable', async () => {
    await sandbox.close();
    sandbox = await startMailchimpSandbox({ members: [member('ops@globex.example'), member('reports@msp.example')], listId: 'tx01list', clock, metadataIndexMs: 3 * 60_000 });
    const delivery = setup(clock, client());

    const waiting = await delivery.sendReport(approver, report.id);
    expect(waiting).toMatchObject({ kind: 'failed' });
    expect(waiting.kind === 'failed' && waiting.reason).toMatch(/still indexing the metadata field report_key/);
    expect(sandbox.outbox()).toEqual([]);

    clock.advance(3 * 60_000);
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'sent' });
    expect(clientEmails()).toHaveLength(1);
  });

  it('refuses to send with a clear sentence when the account already indexes 10 other metadata fields', async () => {
    for (let index = 1; index <= 10; index += 1) await call('/metadata/add', { name: `crm_field_${index}` });
    const delivery = setup(clock, client());

    const outcome = await delivery.sendReport(approver, report.id);

    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/already indexes 10 custom metadata fields \(crm_field_1, .*crm_field_10\), the most an account may have, so report_key cannot be added/);
    expect(sandbox.outbox()).toEqual([]);
    expect(logLines.some((line) => line.level === 50 && line.msg.includes('Custom Metadata settings page'))).toBe(true);
  });

  it('leaves the send uncertain when the search is rate-limited, waits a minute, and never sends blind', async () => {
    const delivery = setup(clock, client());
    sandbox.failNext('transactional.send', 'timeout');
    for (let index = 0; index < 20; index += 1) await call('/messages/search', { query: '*' });

    const first = await delivery.sendReport(approver, report.id);
    expect(first.kind === 'failed' && first.reason).toMatch(/^Could not confirm that the report went out \(Mailchimp Transactional allows 20 searches a minute/);
    expect((await delivery.sendsFor(7))[0]).toMatchObject({ status: 'requested', uncertain: true });
    expect(clientEmails()).toHaveLength(1);

    sandbox.resetRequests();
    clock.advance(30_000);
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'failed' });
    expect(sandbox.requests.filter((request) => request.path.endsWith('/messages/search'))).toEqual([]);

    clock.advance(31_000);
    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'already-sent', send: { status: 'sent' } });
    expect(clientEmails()).toHaveLength(1);
  });
});
