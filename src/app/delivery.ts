/**
 * Sending a report to a client, at most once per client, period and report version.
 * The ledger row (`DATA_DIR/sends.json`) is claimed before any Mailchimp call and only its lease holder
 * may move it on; the channel then reads Mailchimp before every side effect it is not sure about, so
 * double clicks, retried requests, a second process or a restart never produce a second email.
 */
import type { Actor, ConfirmedSend, SendOptions, SendOutcome, SendSummary } from './ports.js';
import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { appendAudit, type AuditActor, type AuditOutcome } from '../store/audit.js';
import { LeaseLostError, SendLedger, leaseOwnerName, newSendId, type SendRecord } from '../store/sends.js';
import type { ChannelResult, DeliveryChannel, DeliveryChannels } from '../mailchimp/channel.js';
import { neutraliseMergeTags, neutraliseMergeTagsInText } from '../report/escape.js';
import { isEmailAddress } from '../clients/names.js';
import { approvalRefusal, isApprover as isListedApprover } from '../approvers.js';
import { userFacingMessage } from '../errors.js';

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
  createdAt?: string;
  discarded?: boolean;
}

export type RecipientLookup = { email: string } | { problem: string };

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
  /** The same email to one person, subject prefixed [TEST]; never recorded as the client's send. */
  sendTest(actor: Actor, reportId: string, to: string): Promise<SendOutcome>;
  isApprover(actor: Actor): boolean;
  /** Ledger rows for the client, newest first. */
  sendsFor(clientId: number): Promise<SendRecord[]>;
  /** The latest send of a report, for its summary card. */
  sendForReport(reportId: string): Promise<SendSummary | undefined>;
  /** Finishes (or checks) sends a crash or an unanswered call left open; called at start-up. */
  resumePendingSends(): Promise<Array<{ send: SendRecord; outcome: SendOutcome }>>;
}

/** What a person sees when something other than Mailchimp's own answer went wrong; the details are logged. */
const UNEXPECTED = 'something went wrong on our side; the details are in the bot\'s log.';
const DEFAULT_LEASE_MS = 10 * 60_000;
const DEFAULT_MAX_RESUME_AGE_MS = 24 * 3_600_000;
const SEARCH_MARGIN_MS = 24 * 3_600_000;
const RESUMER: AuditActor = { platform: 'scheduler', id: 'integoreport', name: 'IntegoReport (interrupted send)' };

/** `ir:<clientId>:<periodKey>:v<version>`: one email per client, period and report version. */
export function sendKey(report: Pick<DeliverableReport, 'clientId' | 'periodKey' | 'version'>): string {
  return `ir:${report.clientId}:${report.periodKey}:v${report.version}`;
}

/** Resending send `previous` (key `…` or `…:rN`) gets `…:r2` or `…:r(N+1)`, so a double-clicked resend still sends once. */
export function resendKey(previousKey: string): string {
  const match = /^(.*):r(\d+)$/.exec(previousKey);
  return match ? `${match[1]}:r${Number(match[2]) + 1}` : `${previousKey}:r2`;
}

/** Mailchimp refuses subject lines over 150 characters; room is kept for the `[TEST] ` prefix. */
const SUBJECT_LIMIT = 143;

/** `Your Monthly Service Report: <client> — <period>`, merge tags neutralised, a long client name shortened. */
export function reportSubject(report: Pick<DeliverableReport, 'clientName' | 'periodLabel'>): string {
  const frame = (name: string) => neutraliseMergeTagsInText(`Your Monthly Service Report: ${name} — ${report.periodLabel}`);
  const name = neutraliseMergeTagsInText(report.clientName);
  const overflow = frame(name).length - SUBJECT_LIMIT;
  return overflow > 0 ? frame(`${name.slice(0, Math.max(1, name.length - overflow - 1)).trimEnd()}…`) : frame(name);
}

function summarizeSend(record: SendRecord): SendSummary {
  return {
    id: record.id,
    status: record.status,
    to: record.to,
    sentBy: record.requestedBy.name,
    sentAt: record.sentAt,
    error: record.error,
    mailchimpId: record.campaignId ?? record.messageIds?.[0],
  };
}

function auditActor(actor: Actor): AuditActor {
  return { platform: actor.platform, id: actor.id, name: actor.name, ...(actor.osUser ? { osUser: actor.osUser } : {}) };
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const normal = (list: readonly string[]) => [...new Set(list.map((address) => address.trim().toLowerCase()))].sort().join('\n');
  return normal(a) === normal(b);
}

function uniqueAddresses(addresses: Array<string | undefined>): string[] {
  const seen = new Set<string>();
  return addresses
    .map((address) => address?.trim())
    .filter((address): address is string => !!address && !seen.has(address.toLowerCase()) && !!seen.add(address.toLowerCase()));
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

  const audit = (entry: Parameters<typeof appendAudit>[1]) =>
    appendAudit(options.dataDir, entry, clock).catch((error: unknown) => {
      logger.error({ err: error }, 'could not write the audit log');
    });

  /** Drives a claimed row on its channel and records how it ended, in the ledger and the audit log. */
  async function drive(record: SendRecord, channel: DeliveryChannel, html: string, reconcile: boolean, mayAct: boolean, actor: AuditActor, action: string): Promise<SendOutcome> {
    const job = {
      record,
      reconcile,
      mayAct,
      html,
      now: () => clock.now(),
      progress: (patch: Partial<SendRecord>) => ledger.advance(record.id, owner, clock.now(), patch),
    };
    /** Another holder took the row over; what it shows now is the answer. */
    const takenOver = async (): Promise<SendOutcome> => ({ kind: 'already-sent', send: summarizeSend((await ledger.get(record.id)) ?? record) });
    let result: ChannelResult;
    try {
      result = await channel.deliver(job);
    } catch (error) {
      if (error instanceof LeaseLostError) return takenOver();
      logger.error({ err: error, sendId: record.id }, 'report send stopped unexpectedly');
      result = { kind: 'uncertain', reason: userFacingMessage(error) ?? UNEXPECTED };
    }
    const now = clock.now().toISOString();
    const patch: Partial<SendRecord> =
      result.kind === 'sent'
        ? { status: 'sent', sentAt: result.sentAt ?? now, campaignId: result.campaignId ?? job.record.campaignId, messageIds: result.messageIds, notes: result.notes, error: undefined, uncertain: undefined, sendAttemptedAt: undefined }
        : result.kind === 'uncertain'
          ? { uncertain: true, error: result.reason, campaignId: result.campaignId ?? job.record.campaignId }
          : { status: 'failed', error: result.reason, uncertain: undefined, sendAttemptedAt: undefined, campaignId: result.campaignId ?? job.record.campaignId };
    let final: SendRecord;
    try {
      final = await ledger.release(record.id, owner, clock.now(), patch);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      return takenOver();
    }
    const outcome: SendOutcome =
      result.kind === 'sent'
        ? { kind: result.already ? 'already-sent' : 'sent', send: summarizeSend(final) }
        : result.kind === 'refused'
          ? { kind: 'refused', reason: result.reason }
          : result.kind === 'failed'
            ? { kind: 'failed', reason: result.reason }
            : {
                kind: 'failed',
                reason: `Could not confirm that the report went out (${result.reason}). Sending again is safe: Mailchimp is checked first, so it goes out at most once.`,
              };
    const auditOutcome: AuditOutcome = result.kind === 'sent' ? 'ok' : result.kind === 'uncertain' ? 'pending' : result.kind;
    await audit({
      actor,
      action,
      target: { clientId: final.clientId, reportId: final.reportId, sendId: final.id, key: final.key },
      to: final.to,
      mailchimp: { campaignId: final.campaignId, messageIds: final.messageIds },
      outcome: auditOutcome,
      detail: 'reason' in outcome ? outcome.reason : final.notes?.join(' ') || `"${final.subject}" via ${final.channel}${result.kind === 'sent' && result.already ? ', found already sent in Mailchimp' : ''}.`,
    });
    logger.info({ sendId: final.id, key: final.key, status: final.status, campaignId: final.campaignId, outcome: outcome.kind }, 'report send');
    return outcome;
  }

  async function refuse(actor: Actor, action: string, reason: string, target: { clientId?: number; reportId?: string }, outcome: 'refused' | 'failed' = 'refused'): Promise<SendOutcome> {
    await audit({ actor: auditActor(actor), action, target, outcome, detail: reason });
    return { kind: outcome, reason };
  }

  /** The client's addresses for a send: its linked contact and the internal copy. */
  function recipientsOf(recipient: RecipientLookup): string[] {
    return 'email' in recipient ? uniqueAddresses([recipient.email, options.config.report.copyTo]) : [];
  }

  /**
   * What changed since the person confirmed a send: the client's addresses (compared as sets), or the
   * period's report (a newer draft, or one already sent). The addresses to send to when nothing did.
   */
  async function changeSince(report: DeliverableReport, confirmed: ConfirmedSend): Promise<{ reason: string; reportId: string } | { to: string[] }> {
    const [recipient, current] = await Promise.all([options.resolveRecipient(report.clientId), options.currentReport(report.clientId, report.periodKey)]);
    const to = recipientsOf(recipient);
    const reportId = current?.id ?? report.id;
    if (!sameAddresses(to, confirmed.to)) {
      const copy = options.config.report.copyTo;
      const now = 'email' in recipient
        ? `${recipient.email}${copy && to.length > 1 ? ` (copy to ${copy})` : ''}`
        : 'no linked contact';
      return { reason: `The contact for ${report.clientName} changed since this card was shown: now ${now}.`, reportId };
    }
    const version = current?.version ?? report.version;
    if (report.version !== confirmed.version || version !== confirmed.version) {
      return { reason: `The ${report.periodLabel} report for ${report.clientName} changed since this card was shown: now version ${version}.`, reportId };
    }
    return { to };
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
      if (!previous || previous.clientId !== report.clientId || !previous.key.startsWith(key)) {
        return refuse(actor, action, `Send ${sendOptions.resendOf} is not a send of this report (${report.clientName}, ${report.periodLabel}, version ${report.version}).`, target);
      }
      if (previous.status !== 'sent') return refuse(actor, action, `Send ${previous.id} has not gone out (${previous.status}); use Send, not Resend.`, target);
      key = resendKey(previous.key);
    }

    const { confirmed } = sendOptions;
    const recipient = await options.resolveRecipient(report.clientId);
    // With a confirmation, a contact that went away is a change the person is shown (under the lock, below).
    if ('problem' in recipient && !confirmed) return refuse(actor, action, `${report.clientName} has no contact to send to: ${recipient.problem}`, target);
    let to = recipientsOf(recipient);
    let changedTo: string | undefined;
    /** Under the ledger's lock: the report and the addresses are still the ones the person confirmed. */
    const stillAsConfirmed = async (): Promise<string | undefined> => {
      const change = await changeSince(report, confirmed!);
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
      },
      confirmed ? stillAsConfirmed : undefined,
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
    return drive(claim.record, channel, neutraliseMergeTags(report.emailHtml), claim.resumed, true, requestedBy, action);
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
    const subject = `[TEST] ${reportSubject(report)}`;
    try {
      const ids = await channel.sendTest({ key: sendKey(report), subject, html: neutraliseMergeTags(report.emailHtml), to: address });
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
      const outcome = await drive(claim.record, channel, neutraliseMergeTags(report?.emailHtml ?? ''), true, mayAct, RESUMER, 'report.send-resumed');
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
    resumePendingSends,
  };
}
