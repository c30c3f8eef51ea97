import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import os from 'node:os';
import { createMailchimpHttp } from '../src/mailchimp/http.js';
import { createDeliveryChannels } from '../src/mailchimp/delivery-channels.js';
import { createDelivery, type DeliverableReport } from '../src/app/delivery.js';
import { readAudit } from '../src/store/audit.js';
import { SendLedger, type SendRecord } from '../src/store/sends.js';
import { formatSendOutcome } from '../src/app/send-format.js';
import { spawnSync } from 'node:child_process';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import type { Actor } from '../src/app/ports.js';
import { startMailchimpSandbox } from '../src/sandbox/index.js';
import { useNock } from './support/nock.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const API = 'https://us6.api.mailchimp.com';
const approver: Actor = { platform: 'slack', id: 'U0BOSS', name: 'Bea Boss', email: 'bea@msp.example' };
const intern: Actor = { platform: 'teams', id: 'aad-intern', name: 'Ian Intern', email: 'ian@msp.example' };

const report: DeliverableReport = {
  id: '42-2026-10-v1',
  clientId: 42,
  clientName: 'Acme <Widgets> "Ltd" *|ARCHIVE|*',
  periodKey: '2026-10',
  periodLabel: 'October 2026',
  version: 1,
  emailHtml: '<html><body><h1>Acme &lt;Widgets&gt;</h1><p>Ticket *|ARCHIVE|* fixed</p></body></html>',
  createdAt: '2026-11-02T08:00:00.000Z',
};
const KEY = 'ir:42:2026-10:v1';
const SUBJECT = 'Your Monthly Service Report: Acme <Widgets> "Ltd" *\u200D|ARCHIVE|\u200D* — October 2026';
const NEUTRAL_HTML = '<html><body><h1>Acme &lt;Widgets&gt;</h1><p>Ticket &#42;|ARCHIVE|&#42; fixed</p></body></html>';

let dataDir: string;
let calls: string[];

/** `recipient`: the client's linked contact now; `currentVersion`: the version of the period's report now. */
/** The same period regenerated: a newer version of the report. */
const reportV2: DeliverableReport = { ...report, id: '42-2026-10-v2', version: 2 };

function setup(now: { recipient?: string; currentVersion?: number } = {}) {
  const clock = fixedClock('2026-11-03T09:00:00.000Z');
  const http = createMailchimpHttp({ baseUrl: `${API}/3.0`, apiKey: 'abc123-us6', logger: silentLogger, retryBaseMs: 1, maxRetries: 1 });
  const delivery = createDelivery({
    channels: createDeliveryChannels({ http, audienceId: 'aud1', fromName: 'Intego MSP', replyTo: 'service@msp.example' }),
    config: { approvers: [{ kind: 'slack', id: 'U0BOSS' }, { kind: 'email', email: 'carol@msp.example' }], report: { fromName: 'Intego MSP', replyTo: 'service@msp.example', copyTo: 'reports@msp.example', linkSecret: 'x'.repeat(16), linkTtlDays: 30 } },
    dataDir,
    clock,
    loadReport: async (id) => [report, reportV2].find((candidate) => candidate.id === id),
    resolveRecipient: async () => ({ email: now.recipient ?? 'jane@acme.example' }),
    currentReport: async () => ({ id: `42-2026-10-v${now.currentVersion ?? 1}`, version: now.currentVersion ?? 1 }),
  });
  return { delivery, clock };
}

/** Records each request Mailchimp receives, in order, as "METHOD path". */
function api() {
  return nock(API).on('request', (request: { method: string; path: string }) => {
    calls.push(`${request.method} ${request.path.split('?')[0]}`);
  });
}

/** Mailchimp answers for two sends in a row: campaign c1, then c2 titled `secondTitle`. */
function twoCampaignSends(secondTitle: string) {
  api()
    .get('/3.0/campaigns').query(true).reply(200, { campaigns: [], total_items: 0 })
    .post('/3.0/campaigns').reply(200, { id: 'c1', status: 'save' })
    .put('/3.0/campaigns/c1/content').reply(200, {})
    .get('/3.0/campaigns/c1/send-checklist').reply(200, { is_ready: true, items: [] })
    .post('/3.0/campaigns/c1/actions/send').reply(204)
    .get('/3.0/campaigns').query(true).reply(200, { campaigns: [], total_items: 0 })
    .post('/3.0/campaigns', (body) => body.settings.title === secondTitle).reply(200, { id: 'c2', status: 'save' })
    .put('/3.0/campaigns/c2/content').reply(200, {})
    .get('/3.0/campaigns/c2/send-checklist').reply(200, { is_ready: true, items: [] })
    .post('/3.0/campaigns/c2/actions/send').reply(204);
}

const campaignBody = {
  type: 'regular',
  recipients: {
    list_id: 'aud1',
    segment_opts: {
      match: 'any',
      conditions: [
        { condition_type: 'EmailAddress', field: 'EMAIL', op: 'is', value: 'jane@acme.example' },
        { condition_type: 'EmailAddress', field: 'EMAIL', op: 'is', value: 'reports@msp.example' },
      ],
    },
  },
  settings: { subject_line: SUBJECT, title: KEY, from_name: 'Intego MSP', reply_to: 'service@msp.example', auto_footer: true, inline_css: true },
};

useNock({ loopback: true });

beforeEach(async () => {
  dataDir = await makeTempDir('integoreport-delivery-campaign-');
  calls = [];
});

afterEach(async () => {
  await removeTempDir(dataDir);
});

describe('sending a report as a Mailchimp campaign', () => {
  it('searches for an existing campaign, creates, sets content, checks and sends, exactly in that order', async () => {
    const { delivery } = setup();
    const scope = api()
      .get('/3.0/campaigns')
      .query((query) => {
        expect(query).toMatchObject({ list_id: 'aud1', since_create_time: '2026-11-01T08:00:00.000Z', count: '1000', offset: '0', sort_field: 'create_time', sort_dir: 'DESC' });
        expect(String(query.fields)).toContain('campaigns.settings.title');
        return true;
      })
      .reply(200, { campaigns: [{ id: 'other', status: 'sent', settings: { title: `${KEY}:test` } }], total_items: 1 })
      .post('/3.0/campaigns', (body) => {
        expect(body).toEqual(campaignBody);
        return true;
      })
      .reply(200, { id: 'c1', status: 'save', settings: { title: KEY } })
      .put('/3.0/campaigns/c1/content', (body) => {
        expect(body).toEqual({ html: NEUTRAL_HTML });
        return true;
      })
      .reply(200, { html: NEUTRAL_HTML })
      .get('/3.0/campaigns/c1/send-checklist')
      .reply(200, { is_ready: true, items: [{ type: 'success', id: 1, heading: 'Audience', details: 'MailChimp will deliver this to 2 subscribed recipients.' }] })
      .post('/3.0/campaigns/c1/actions/send', (body) => body === '' || body === undefined || Object.keys(body).length === 0)
      .reply(204);

    const outcome = await delivery.sendReport(approver, report.id, { confirmed: { version: 1, to: ['reports@msp.example', 'Jane@Acme.example'] } });

    expect(outcome).toMatchObject({ kind: 'sent', send: { status: 'sent', to: ['jane@acme.example', 'reports@msp.example'], sentBy: 'Bea Boss', mailchimpId: 'c1' } });
    expect(calls).toEqual(['GET /3.0/campaigns', 'POST /3.0/campaigns', 'PUT /3.0/campaigns/c1/content', 'GET /3.0/campaigns/c1/send-checklist', 'POST /3.0/campaigns/c1/actions/send']);
    expect(scope.isDone()).toBe(true);

    // A second click (or a retried chat request) reaches the ledger and stops there: no request at all.
    calls = [];
    const again = await delivery.sendReport(approver, report.id);
    expect(again).toMatchObject({ kind: 'already-sent', send: { status: 'sent', mailchimpId: 'c1' } });
    expect(calls).toEqual([]);

    const [row] = await delivery.sendsFor(42);
    expect(row).toMatchObject({ key: KEY, status: 'sent', campaignId: 'c1', channel: 'campaign', requestedBy: { id: 'U0BOSS' } });
    const audit = await readAudit(dataDir, { clientId: 42 });
    expect(audit.map((entry) => [entry.action, entry.outcome])).toEqual([['report.send', 'ok'], ['report.send', 'already-sent']]);
    expect(audit[0]).toMatchObject({ actor: { id: 'U0BOSS' }, to: ['jane@acme.example', 'reports@msp.example'], mailchimp: { campaignId: 'c1' } });
  });

  it('refuses with Mailchimp\'s own checklist reasons, sends nothing, and reuses the draft once the contact is fixed', async () => {
    const { delivery } = setup();
    api()
      .get('/3.0/campaigns').query(true).reply(200, { campaigns: [], total_items: 0 })
      .post('/3.0/campaigns').reply(200, { id: 'c7', status: 'save' })
      .put('/3.0/campaigns/c7/content').reply(200, {})
      .get('/3.0/campaigns/c7/send-checklist')
      .reply(200, {
        is_ready: false,
        items: [
          { type: 'error', id: 1, heading: 'Audience', details: 'Your segment of list Clients is empty. jane@acme.example is unsubscribed, and campaigns only go to subscribed contacts.' },
          { type: 'success', id: 2, heading: 'Subject line', details: 'ok' },
        ],
      });

    const outcome = await delivery.sendReport(approver, report.id);

    expect(outcome.kind).toBe('refused');
    expect(outcome.kind === 'refused' && outcome.reason).toContain('Audience: Your segment of list Clients is empty. jane@acme.example is unsubscribed');
    expect(calls).not.toContain('POST /3.0/campaigns/c7/actions/send');
    expect((await delivery.sendsFor(42))[0]).toMatchObject({ status: 'failed', campaignId: 'c7' });
    expect((await readAudit(dataDir))[0]).toMatchObject({ action: 'report.send', outcome: 'refused' });

    calls = [];
    api()
      .get('/3.0/campaigns/c7').query(true).reply(200, { id: 'c7', status: 'save' })
      .patch('/3.0/campaigns/c7', (body) => {
        const { type: _type, ...rest } = campaignBody;
        expect(body).toEqual(rest);
        return true;
      })
      .reply(200, { id: 'c7', status: 'save' })
      .put('/3.0/campaigns/c7/content').reply(200, {})
      .get('/3.0/campaigns/c7/send-checklist').reply(200, { is_ready: true, items: [] })
      .post('/3.0/campaigns/c7/actions/send').reply(204);

    const retried = await delivery.sendReport(approver, report.id);
    expect(retried).toMatchObject({ kind: 'sent', send: { mailchimpId: 'c7' } });
    expect(calls).toEqual(['GET /3.0/campaigns/c7', 'PATCH /3.0/campaigns/c7', 'PUT /3.0/campaigns/c7/content', 'GET /3.0/campaigns/c7/send-checklist', 'POST /3.0/campaigns/c7/actions/send']);
  });

  it('treats a campaign already sent under the same title as the send, without creating another', async () => {
    const { delivery } = setup();
    api()
      .get('/3.0/campaigns').query(true)
      .reply(200, { campaigns: [{ id: 'c0', status: 'sent', send_time: '2026-11-02T10:00:00+00:00', settings: { title: KEY } }], total_items: 1 });

    const outcome = await delivery.sendReport(approver, report.id);

    expect(outcome).toMatchObject({ kind: 'already-sent', send: { status: 'sent', mailchimpId: 'c0', sentAt: '2026-11-02T10:00:00+00:00' } });
    expect(calls).toEqual(['GET /3.0/campaigns']);
  });

  it('sends only what was confirmed: a changed contact or a newer version of the report is refused before any Mailchimp call', async () => {
    const shown = { version: 1, to: ['jane@acme.example', 'reports@msp.example'] };
    const movedContact = await setup({ recipient: 'road.runner@acme.example' }).delivery.sendReport(approver, report.id, { confirmed: shown });
    expect(movedContact).toEqual({
      kind: 'changed',
      reportId: report.id,
      reason: 'The contact for Acme <Widgets> "Ltd" *|ARCHIVE|* changed since this card was shown: now road.runner@acme.example (copy to reports@msp.example).',
    });
    const regenerated = await setup({ currentVersion: 2 }).delivery.sendReport(approver, report.id, { confirmed: shown });
    expect(regenerated).toEqual({
      kind: 'changed',
      reportId: '42-2026-10-v2',
      reason: 'The October 2026 report for Acme <Widgets> "Ltd" *|ARCHIVE|* changed since this card was shown: now version 2.',
    });
    expect(calls).toEqual([]);
    expect(await setup().delivery.sendsFor(42)).toEqual([]);
    expect((await readAudit(dataDir)).map((entry) => [entry.action, entry.outcome])).toEqual([['report.send', 'refused'], ['report.send', 'refused']]);
  });

  it('sends a test to the approver with actions/test, and the client send is still to come', async () => {
    const { delivery } = setup();
    api()
      .post('/3.0/campaigns', (body) => {
        expect(body).toMatchObject({
          type: 'regular',
          recipients: { list_id: 'aud1', segment_opts: { match: 'all', conditions: [{ condition_type: 'EmailAddress', field: 'EMAIL', op: 'is', value: 'bea@msp.example' }] } },
          settings: { subject_line: SUBJECT, title: `${KEY}:test` },
        });
        return true;
      })
      .reply(200, { id: 't1', status: 'save' })
      .put('/3.0/campaigns/t1/content', { html: NEUTRAL_HTML }).reply(200, {})
      .post('/3.0/campaigns/t1/actions/test', { test_emails: ['bea@msp.example'], send_type: 'html' }).reply(204);

    const outcome = await delivery.sendTest(approver, report.id, 'bea@msp.example');

    expect(outcome).toMatchObject({ kind: 'sent', send: { to: ['bea@msp.example'], mailchimpId: 't1' } });
    expect(calls).toEqual(['POST /3.0/campaigns', 'PUT /3.0/campaigns/t1/content', 'POST /3.0/campaigns/t1/actions/test']);
    expect(await delivery.sendsFor(42)).toEqual([]);
    expect(await delivery.sendForReport(report.id)).toBeUndefined();
    expect((await readAudit(dataDir))[0]).toMatchObject({ action: 'report.send-test', outcome: 'ok', to: ['bea@msp.example'], actor: { id: 'U0BOSS' } });
  });

  it('keeps a test away from the client and from other people when the sender is not an approver', async () => {
    const { delivery } = setup();
    expect(await delivery.sendTest(intern, report.id, 'someone@else.example')).toMatchObject({ kind: 'refused' });
    expect(await delivery.sendTest(approver, report.id, 'JANE@acme.example')).toMatchObject({ kind: 'refused' });
    expect(calls).toEqual([]);
  });

  it('refuses a non-approver, naming who can send, without calling Mailchimp', async () => {
    const { delivery } = setup();
    expect(delivery.isApprover(intern)).toBe(false);
    expect(delivery.isApprover(approver)).toBe(true);
    expect(delivery.isApprover({ platform: 'teams', id: 'x', name: 'Carol', email: 'Carol@MSP.example' })).toBe(true);
    expect(delivery.isApprover({ platform: 'teams', id: 'U0BOSS', name: 'Mallory' }), 'a Slack approver\'s id on Teams').toBe(false);

    const outcome = await delivery.sendReport(intern, report.id);

    expect(outcome).toEqual({ kind: 'refused', reason: 'Only approvers can send reports to clients. Ask one of: carol@msp.example.' });
    expect(calls).toEqual([]);
    expect(await delivery.sendsFor(42)).toEqual([]);
    expect((await readAudit(dataDir))[0]).toMatchObject({ action: 'report.send', outcome: 'refused', actor: { id: 'aad-intern' } });
  });

  it('resends only on purpose, once per named send', async () => {
    const { delivery } = setup();
    twoCampaignSends(`${KEY}:r2`);

    const first = await delivery.sendReport(approver, report.id);
    if (first.kind !== 'sent') throw new Error(`expected sent, got ${JSON.stringify(first)}`);
    const [resend, doubleClick] = await Promise.all([
      delivery.sendReport(approver, report.id, { resendOf: first.send.id }),
      delivery.sendReport(approver, report.id, { resendOf: first.send.id }),
    ]);

    expect([resend.kind, doubleClick.kind].sort()).toEqual(['already-sent', 'sent']);
    expect(calls.filter((call) => call.endsWith('/actions/send'))).toEqual(['POST /3.0/campaigns/c1/actions/send', 'POST /3.0/campaigns/c2/actions/send']);
    expect((await delivery.sendsFor(42)).map((row) => row.key).sort()).toEqual([KEY, `${KEY}:r2`]);
    expect(await delivery.sendReport(approver, report.id, { resendOf: 'snd_unknown' })).toMatchObject({ kind: 'refused' });
  });

  it('once a period went out, a newer version goes only when sent again on purpose, and then once', async () => {
    const { delivery } = setup();
    twoCampaignSends('ir:42:2026-10:v2');

    const first = await delivery.sendReport(approver, report.id);
    if (first.kind !== 'sent') throw new Error(`expected sent, got ${JSON.stringify(first)}`);
    const plain = await delivery.sendReport(approver, reportV2.id);
    expect(plain).toEqual({
      kind: 'changed',
      reportId: reportV2.id,
      reason: 'October 2026 went to jane@acme.example on 3 Nov 2026 by Bea Boss. A second email goes only when someone sends it again on purpose; nothing was sent.',
    });
    expect(calls.filter((call) => call.endsWith('/actions/send'))).toEqual(['POST /3.0/campaigns/c1/actions/send']);

    const [again, doubleClick] = await Promise.all([
      delivery.sendReport(approver, reportV2.id, { resendOf: first.send.id }),
      delivery.sendReport(approver, reportV2.id, { resendOf: first.send.id }),
    ]);
    expect([again.kind, doubleClick.kind].sort()).toEqual(['already-sent', 'sent']);
    expect(calls.filter((call) => call.endsWith('/actions/send'))).toEqual(['POST /3.0/campaigns/c1/actions/send', 'POST /3.0/campaigns/c2/actions/send']);
    expect(await delivery.lastSentOfPeriod(42, '2026-10')).toMatchObject({ key: 'ir:42:2026-10:v2', resendOf: first.send.id });
    expect((await readAudit(dataDir, { action: 'report.resend' })).map((entry) => entry.outcome).sort()).toEqual(['already-sent', 'ok']);
  });

  describe('after a crash', () => {
    /** A ledger row left at `status` by a process that has since died (its pid no longer exists). */
    async function leftBehind(status: SendRecord['status'], campaignId?: string): Promise<void> {
      const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
      const deadOwner = `${os.hostname()}/${deadPid}/dead`;
      const ledger = new SendLedger(dataDir, 600_000);
      const now = new Date('2026-11-03T08:59:00.000Z');
      await ledger.claim(KEY, deadOwner, now, () => ({
        id: 'snd_crashed', key: KEY, reportId: report.id, clientId: 42, clientName: report.clientName, periodKey: '2026-10', periodLabel: 'October 2026', version: 1,
        channel: 'campaign', status: 'requested', to: ['jane@acme.example', 'reports@msp.example'], subject: SUBJECT,
        requestedBy: { platform: 'slack', id: 'U0BOSS', name: 'Bea Boss' }, requestedAt: now.toISOString(), searchSince: '2026-11-01T08:00:00.000Z', updatedAt: now.toISOString(), attempts: 1,
      }));
      await ledger.advance('snd_crashed', deadOwner, now, { status, campaignId });
    }

    it('reads the campaign first on restart and marks it sent when the send had gone through', async () => {
      await leftBehind('content-set', 'c9');
      const { delivery } = setup();
      api().get('/3.0/campaigns/c9').query(true).reply(200, { id: 'c9', status: 'sent', send_time: '2026-11-03T08:59:30+00:00' });

      const resumed = await delivery.resumePendingSends();

      expect(calls).toEqual(['GET /3.0/campaigns/c9']);
      expect(resumed.map((entry) => [entry.send.status, entry.outcome.kind])).toEqual([['sent', 'already-sent']]);
      expect((await readAudit(dataDir))[0]).toMatchObject({ action: 'report.send-resumed', outcome: 'ok', mailchimp: { campaignId: 'c9' } });
    });

    it('finishes a send whose campaign is still a draft, and a click while it runs sends nothing more', async () => {
      await leftBehind('campaign-created', 'c9');
      const { delivery } = setup();
      api()
        .get('/3.0/campaigns/c9').query(true).reply(200, { id: 'c9', status: 'save' })
        .patch('/3.0/campaigns/c9').reply(200, { id: 'c9', status: 'save' })
        .put('/3.0/campaigns/c9/content').reply(200, {})
        .get('/3.0/campaigns/c9/send-checklist').reply(200, { is_ready: true, items: [] })
        .post('/3.0/campaigns/c9/actions/send').delay(50).reply(204);

      const [resumed, click] = await Promise.all([delivery.resumePendingSends(), new Promise((resolve) => setTimeout(resolve, 20)).then(() => delivery.sendReport(approver, report.id))]);

      expect(calls).toEqual(['GET /3.0/campaigns/c9', 'PATCH /3.0/campaigns/c9', 'PUT /3.0/campaigns/c9/content', 'GET /3.0/campaigns/c9/send-checklist', 'POST /3.0/campaigns/c9/actions/send']);
      expect(resumed[0]!.outcome.kind).toBe('sent');
      expect(click).toMatchObject({ kind: 'already-sent' });
      expect(formatSendOutcome(click)).toMatch(/nothing was sent again/);
    });

    it('after a send that got no answer, reads the status and does not send a second time', async () => {
      const { delivery } = setup();
      api()
        .get('/3.0/campaigns').query(true).reply(200, { campaigns: [], total_items: 0 })
        .post('/3.0/campaigns').reply(200, { id: 'c1', status: 'save' })
        .put('/3.0/campaigns/c1/content').reply(200, {})
        .get('/3.0/campaigns/c1/send-checklist').reply(200, { is_ready: true, items: [] })
        .post('/3.0/campaigns/c1/actions/send').reply(503, 'Service Unavailable')
        .get('/3.0/campaigns/c1').query(true).reply(200, { id: 'c1', status: 'sending' });

      const outcome = await delivery.sendReport(approver, report.id);

      expect(outcome).toMatchObject({ kind: 'already-sent', send: { status: 'sent', mailchimpId: 'c1' } });
      expect(calls.filter((call) => call.endsWith('/actions/send'))).toHaveLength(1);
      expect(calls.at(-1)).toBe('GET /3.0/campaigns/c1');
    });
  });

  it('every request of a send, a reused draft\'s PATCH included, is one the simulated Mailchimp\'s spec check accepts', async () => {
    const clock = fixedClock('2026-11-03T09:00:00.000Z');
    const members = ['jane@acme.example', 'reports@msp.example'].map((email) => ({ email_address: email, status: 'subscribed' as const, merge_fields: { FNAME: 'J', LNAME: 'D' }, tags: [], last_changed: '2026-10-01T00:00:00+00:00' }));
    const sandbox = await startMailchimpSandbox({ members, listId: 'aud1', clock });
    try {
      const http = createMailchimpHttp({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, logger: silentLogger, retryBaseMs: 1 });
      const delivery = createDelivery({
        channels: createDeliveryChannels({ http, audienceId: 'aud1', fromName: 'Intego MSP', replyTo: 'service@msp.example' }),
        config: { approvers: [{ kind: 'slack', id: 'U0BOSS' }], report: { fromName: 'Intego MSP', replyTo: 'service@msp.example', copyTo: 'reports@msp.example', linkSecret: 'x'.repeat(16), linkTtlDays: 30 } },
        dataDir,
        clock,
        loadReport: async () => report,
        resolveRecipient: async () => ({ email: 'jane@acme.example' }),
        currentReport: async () => undefined,
      });
      expect(await delivery.sendTest(approver, report.id, 'bea@msp.example')).toMatchObject({ kind: 'sent' });
      // The create answers 500 after making the draft, so the next pass finds the draft by title and updates it.
      sandbox.failNext('campaign.create', 'error-after-effect');
      expect(await delivery.sendReport(approver, report.id)).toMatchObject({ kind: 'sent' });

      const made = sandbox.requests.map((request) => `${request.method} ${request.path.replace(/\/campaigns\/[0-9a-f]+/, '/campaigns/{id}')} ${request.status}`);
      expect(made).toContain('PATCH /3.0/campaigns/{id} 200');
      expect(made.filter((request) => request.endsWith(' 400'))).toEqual([]);
      expect(sandbox.outbox().map((email) => email.kind)).toEqual(['test', 'campaign']);
    } finally {
      await sandbox.close();
    }
  });
});
