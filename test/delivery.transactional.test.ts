import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { createTransactionalClient } from '../src/mailchimp/transactional.js';
import { createDeliveryChannels } from '../src/mailchimp/delivery-channels.js';
import { createDelivery, type DeliverableReport } from '../src/app/send-report.js';
import { readAudit } from '../src/store/audit.js';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import type { Actor } from '../src/app/ports.js';
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

function setup(clock = fixedClock('2026-11-03T09:00:00.000Z')) {
  const transactional = createTransactionalClient({ baseUrl: `${API}/api/1.0`, apiKey: 'md-secret-key', logger: silentLogger });
  return createDelivery({
    channels: createDeliveryChannels({ transactional, fromName: 'Intego MSP', replyTo: 'service@msp.example' }),
    config: { approvers: [{ kind: 'slack', id: 'U0BOSS' }], report: { fromName: 'Intego MSP', replyTo: 'service@msp.example', copyTo: 'reports@msp.example', linkSecret: 'x'.repeat(16), linkTtlDays: 30 } },
    dataDir,
    clock,
    loadReport: async (id) => (id === report.id ? report : undefined),
    resolveRecipient: async () => ({ email: 'ops@globex.example' }),
    currentReport: async () => undefined,
  });
}

useNock();

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
    nock(API)
      .post('/api/1.0/messages/send')
      .reply(200, [
        { email: 'ops@globex.example', status: 'sent', _id: 'm1' },
        { email: 'reports@msp.example', status: 'rejected', reject_reason: 'hard-bounce', _id: 'm2' },
      ]);

    expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'sent' });
    expect((await delivery.sendsFor(7))[0]!.notes).toEqual(['The copy to reports@msp.example was rejected (hard-bounce).']);
  });

  it('after an unanswered send, looks the key up and never sends a second message', async () => {
    const delivery = setup();
    let sends = 0;
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

  it('treats Mailchimp\'s named refusal (bad key) as a failure without retrying', async () => {
    const delivery = setup();
    nock(API).post('/api/1.0/messages/send').reply(500, { status: 'error', code: -1, name: 'Invalid_Key', message: 'Invalid API key' });

    expect(await delivery.sendReport(approver, report.id)).toEqual({ kind: 'failed', reason: 'Mailchimp Transactional said: Invalid API key' });
    expect(nock.isDone()).toBe(true);
  });
});
