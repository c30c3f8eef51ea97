/**
 * Sending a report to a client, at most once per client, period and report version.
 * The ledger row (`DATA_DIR/sends.json`) is claimed before any Mailchimp call and only its lease holder
 * may move it on; the channel then reads Mailchimp before every side effect it is not sure about, so
 * double clicks, retried requests, a second process or a restart never produce a second email.
 * Its parts sit in `delivery/`: the send's key and subject, the confirmation check, driving a claimed send.
 */
import type { Actor, SendOptions, SendOutcome, SendSummary } from './ports.js';
import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { appendAudit, auditActor, type AuditActor, type AuditInput } from '../store/audit.js';
import { SendLedger, lastSent, leaseOwnerName, newSendId, type SendRecord } from '../store/sends.js';
import type { DeliveryChannels, EmailAttachment } from '../mailchimp/channel.js';
import { neutraliseMergeTags } from '../report/escape.js';
import { isEmailAddress } from '../clients/names.js';
import { approvalRefusal, isApprover as isListedApprover } from '../approvers.js';
import { userFacingMessage } from '../errors.js';
import { changeSince, recipientsOf, type RecipientLookup } from './delivery/confirmed.js';
import { driveSend, summarizeSend, UNEXPECTED, type DriveJob } from './delivery/drive.js';
import { reportSubject, resendKey, sendKey } from './delivery/keys.js';
import { periodSentSentence } from './send-format.js';

/** What delivery needs from a stored report. */
export interface DeliverableReport {
  id: string;
  clientId: number;
  clientName: string;
  periodKey: string;
  periodLabel: string;
  version: number;
  /** Already HTML-escaped; merge tags are neutralised again here anyway. */
  emailHtml: string;
  /** Sent with the email where the channel can attach files (the PDF, with REPORT_ATTACH_PDF). */
  attachments?: EmailAttachment[];
  createdAt?: string;
  discarded?: boolean;
}

export interface DeliveryOptions {
  channels: DeliveryChannels;
  config: Pick<Config, 'approvers' | 'report'>;
  dataDir: string;
  loadReport(reportId: string): Promise<DeliverableReport | undefined>;
  /** The client's linked Mailchimp contact, or why there is none. */
  resolveRecipient(clientId: number): Promise<RecipientLookup>;
  /** The client's report for the period now (the sent one, else the newest draft): a confirmed send must still be of it. */
  currentReport(clientId: number, periodKey: string): Promise<{ id: string; version: number } | undefined>;
  clock?: Clock;
  logger?: Logger;
  /** How long a holder may go without recording progress before another process may take its send over. */
  leaseMs?: number;
  /** Interrupted sends older than this are only checked at start-up, never finished. */
  maxResumeAgeMs?: number;
}

export interface Delivery {
  /**
   * Only approvers; at most once per report version (or per deliberate resend). With `confirmed`, only
   * when the report and its addresses are still those the person confirmed (checked under the ledger's lock).
   */
  sendReport(actor: Actor, reportId: string, options?: SendOptions): Promise<SendOutcome>;
  /** The same email to one person, its subject marked once as a test; never recorded as the client's send. */
  sendTest(actor: Actor, reportId: string, to: string): Promise<SendOutcome>;
  isApprover(actor: Actor): boolean;
  /** Ledger rows for the client, newest first. */
  sendsFor(clientId: number): Promise<SendRecord[]>;
  /** The latest send of a report, for its summary card. */
  sendForReport(reportId: string): Promise<SendSummary | undefined>;
  /** The last send of a client's period that reached the client, whichever version. */
  lastSentOfPeriod(clientId: number, periodKey: string): Promise<SendRecord | undefined>;
  /** Finishes (or checks) sends a crash or an unanswered call left open; called at start-up. */
  resumePendingSends(): Promise<Array<{ send: SendRecord; outcome: SendOutcome }>>;
}

const DEFAULT_LEASE_MS = 10 * 60_000;
const DEFAULT_MAX_RESUME_AGE_MS = 24 * 3_600_000;
const SEARCH_MARGIN_MS = 24 * 3_600_000;
const RESUMER: AuditActor = { platform: 'scheduler', id: 'integoreport', name: 'IntegoReport (interrupted send)' };

/**
 * Why a send of `report` under `key` must not go now because of the period's other sends: one is under way,
 * or the period already reached the client (a plain send) or was sent again since the person saw it (`resendOf`).
 */
function periodSentBefore(report: DeliverableReport, key: string, rows: readonly SendRecord[], resendOf: string | undefined): string | undefined {
  const others = rows.filter((row) => row.clientId === report.clientId && row.periodKey === report.periodKey && row.key !== key && row.status !== 'failed');
  const underWay = others.find((row) => row.status !== 'sent');
  if (underWay) return `${underWay.requestedBy.name} is sending the ${report.periodLabel} report for ${report.clientName} right now; nothing more was sent.`;
  const last = lastSent(others);
  if (!last || last.id === resendOf) return undefined;
  const sentence = periodSentSentence({ periodLabel: last.periodLabel, to: last.to, sentBy: last.requestedBy.name, sentAt: last.sentAt ?? last.updatedAt });
  return resendOf
    ? `${sentence} That was sent again since you looked; nothing more was sent.`
    : `${sentence} A second email goes only when someone sends it again on purpose; nothing was sent.`;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxResumeAgeMs = options.maxResumeAgeMs ?? DEFAULT_MAX_RESUME_AGE_MS;
  const ledger = new SendLedger(options.dataDir, leaseMs);
  const owner = leaseOwnerName();
  const { approvers } = options.config;
  const isApprover = (actor: Actor): boolean => isListedApprover(approvers, actor);

  const audit = (entry: AuditInput): Promise<void> =>
    appendAudit(options.dataDir, entry, clock).then(
      () => undefined,
      (error: unknown) => {
        logger.error({ err: error }, 'could not write the audit log');
      },
    );
  const drive = (job: DriveJob) => driveSend({ ledger, owner, clock, logger, audit }, job);

  async function refuse(actor: Actor, action: string, reason: string, target: { clientId?: number; reportId?: string }, outcome: 'refused' | 'failed' = 'refused'): Promise<SendOutcome> {
    await audit({ actor: auditActor(actor), action, target, outcome, detail: reason });
    return { kind: outcome, reason };
  }

  async function sendReport(actor: Actor, reportId: string, sendOptions: SendOptions = {}): Promise<SendOutcome> {
    const action = sendOptions.resendOf ? 'report.resend' : 'report.send';
    if (!isApprover(actor)) return refuse(actor, action, approvalRefusal(approvers, 'send', actor.platform), { reportId });
    const report = await options.loadReport(reportId);
    if (!report) return refuse(actor, action, `There is no report ${reportId}.`, { reportId }, 'failed');
    const target = { clientId: report.clientId, reportId };
    if (report.discarded) return refuse(actor, action, `Report ${reportId} was discarded; generate a new one.`, target);

    let key = sendKey(report);
    if (sendOptions.resendOf) {
      const previous = await ledger.get(sendOptions.resendOf);
      if (!previous || previous.clientId !== report.clientId || previous.periodKey !== report.periodKey) {
        return refuse(actor, action, `Send ${sendOptions.resendOf} is not a send of ${report.clientName}, ${report.periodLabel}.`, target);
      }
      if (previous.status !== 'sent') return refuse(actor, action, `Send ${previous.id} has not gone out (${previous.status}); use Send, not Send again.`, target);
      // Sending the same version again gets a key of its own; a newer version's first send has its own already.
      if (previous.version === report.version) key = resendKey(previous.key);
    }

    const { confirmed } = sendOptions;
    const recipient = await options.resolveRecipient(report.clientId);
    // With a confirmation, a contact that went away is a change the person is shown (under the lock, below).
    if ('problem' in recipient && !confirmed) return refuse(actor, action, `${report.clientName} has no contact to send to: ${recipient.problem}`, target);
    let to = recipientsOf(recipient, options.config.report.copyTo);
    let changedTo: string | undefined;
    /** Under the ledger's lock: the period was not sent (or sent again) since, and what the person confirmed still holds. */
    const mayClaim = async (rows: readonly SendRecord[]): Promise<string | undefined> => {
      const sentBefore = periodSentBefore(report, key, rows, sendOptions.resendOf);
      if (sentBefore) return sentBefore;
      if (!confirmed) return undefined;
      const [recipientNow, current] = await Promise.all([options.resolveRecipient(report.clientId), options.currentReport(report.clientId, report.periodKey)]);
      const change = changeSince(report, confirmed, { recipient: recipientNow, current, copyTo: options.config.report.copyTo });
      if ('reason' in change) {
        changedTo = change.reportId;
        return change.reason;
      }
      to = change.to;
      return undefined;
    };
    const subject = reportSubject(report);
    const now = clock.now();
    const requestedBy = auditActor(actor);
    const channelName = options.channels.preferred;
    const created = (report.createdAt ? new Date(report.createdAt) : now).getTime();

    const claim = await ledger.claim(
      key,
      owner,
      now,
      () => ({
        id: newSendId(),
        key,
        reportId,
        clientId: report.clientId,
        clientName: report.clientName,
        periodKey: report.periodKey,
        periodLabel: report.periodLabel,
        version: report.version,
        resendOf: sendOptions.resendOf,
        ...(sendOptions.card ? { card: sendOptions.card } : {}),
        channel: channelName,
        status: 'requested',
        to,
        subject,
        requestedBy,
        requestedAt: now.toISOString(),
        searchSince: new Date(Math.min(created, now.getTime()) - SEARCH_MARGIN_MS).toISOString(),
        updatedAt: now.toISOString(),
        attempts: 1,
      }),
      (failed) => {
        failed.to = to;
        failed.subject = subject;
        failed.requestedBy = requestedBy;
        if (sendOptions.card) failed.card = sendOptions.card;
      },
      mayClaim,
    );
    if (claim.kind === 'stale') {
      await audit({ actor: requestedBy, action, target: { ...target, key }, outcome: 'refused', detail: claim.reason });
      return { kind: 'changed', reason: claim.reason, reportId: changedTo ?? reportId };
    }
    if (claim.kind !== 'claimed') {
      await audit({
        actor: requestedBy,
        action,
        target: { ...target, sendId: claim.record.id, key },
        to: claim.record.to,
        mailchimp: { campaignId: claim.record.campaignId, messageIds: claim.record.messageIds },
        outcome: 'already-sent',
        detail: claim.kind === 'sent' ? `Already sent at ${claim.record.sentAt}.` : `Already being sent by ${claim.record.requestedBy.name} (${claim.record.status}).`,
      });
      return { kind: 'already-sent', send: summarizeSend(claim.record) };
    }
    const channel = options.channels[claim.record.channel];
    if (!channel) {
      await ledger.release(claim.record.id, owner, clock.now(), {});
      return refuse(actor, action, `This send began through Mailchimp ${claim.record.channel}, which is not configured now.`, target, 'failed');
    }
    return drive({ record: claim.record, channel, html: neutraliseMergeTags(report.emailHtml), attachments: report.attachments, reconcile: claim.resumed, mayAct: true, actor: requestedBy, action });
  }

  async function sendTest(actor: Actor, reportId: string, to: string): Promise<SendOutcome> {
    const action = 'report.send-test';
    const address = to.trim();
    if (!isEmailAddress(address)) return refuse(actor, action, `"${to}" is not an email address.`, { reportId });
    if (!isApprover(actor)) return refuse(actor, action, approvalRefusal(approvers, 'test', actor.platform), { reportId });
    const report = await options.loadReport(reportId);
    if (!report) return refuse(actor, action, `There is no report ${reportId}.`, { reportId }, 'failed');
    const target = { clientId: report.clientId, reportId };
    const recipient = await options.resolveRecipient(report.clientId);
    if ('email' in recipient && recipient.email.trim().toLowerCase() === address.toLowerCase()) {
      return refuse(actor, action, `${address} is the client's address; a test goes to you. Use Send to send it to the client.`, target);
    }
    const channel = options.channels[options.channels.preferred]!;
    const subject = channel.marksTestSubjects ? reportSubject(report) : `[TEST] ${reportSubject(report)}`;
    try {
      const ids = await channel.sendTest({ key: sendKey(report), subject, html: neutraliseMergeTags(report.emailHtml), to: address, attachments: report.attachments });
      const sentAt = clock.now().toISOString();
      await audit({ actor: auditActor(actor), action, target, to: [address], mailchimp: ids, outcome: 'ok', detail: `Test "${subject}" via ${channel.name}.` });
      return {
        kind: 'sent',
        send: { id: `test:${ids.campaignId ?? ids.messageIds?.[0] ?? sentAt}`, status: 'sent', to: [address], sentBy: actor.name, sentAt, mailchimpId: ids.campaignId ?? ids.messageIds?.[0] },
      };
    } catch (error) {
      if (!userFacingMessage(error)) logger.error({ err: error, reportId }, 'test send stopped unexpectedly');
      const reason = `The test email was not sent: ${userFacingMessage(error) ?? UNEXPECTED}`;
      return refuse(actor, action, reason, target, 'failed');
    }
  }

  async function resumePendingSends(): Promise<Array<{ send: SendRecord; outcome: SendOutcome }>> {
    const results: Array<{ send: SendRecord; outcome: SendOutcome }> = [];
    for (const orphan of await ledger.orphaned(clock.now())) {
      const claim = await ledger.claim(orphan.key, owner, clock.now(), () => orphan);
      if (claim.kind !== 'claimed') continue;
      const channel = options.channels[claim.record.channel];
      if (!channel) {
        await ledger.release(claim.record.id, owner, clock.now(), {});
        logger.warn({ sendId: claim.record.id, channel: claim.record.channel }, 'interrupted send left open: its channel is not configured');
        continue;
      }
      const report = await options.loadReport(claim.record.reportId);
      const fresh = clock.now().getTime() - new Date(claim.record.requestedAt).getTime() <= maxResumeAgeMs;
      const mayAct = fresh && !!report && !report.discarded;
      const outcome = await drive({ record: claim.record, channel, html: neutraliseMergeTags(report?.emailHtml ?? ''), attachments: report?.attachments, reconcile: true, mayAct, actor: RESUMER, action: 'report.send-resumed' });
      results.push({ send: (await ledger.get(claim.record.id)) ?? claim.record, outcome });
    }
    return results;
  }

  return {
    sendReport,
    sendTest,
    isApprover,
    sendsFor: (clientId) => ledger.forClient(clientId),
    async sendForReport(reportId) {
      const rows = (await ledger.all()).filter((record) => record.reportId === reportId).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
      return rows[0] ? summarizeSend(rows[0]) : undefined;
    },
    lastSentOfPeriod: (clientId, periodKey) => ledger.lastSentOfPeriod(clientId, periodKey),
    resumePendingSends,
  };
}
