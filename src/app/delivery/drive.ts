/** A claimed send driven through its Mailchimp channel, and how it ended recorded in the ledger and the audit log. */
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { userFacingMessage } from '../../errors.js';
import type { ChannelResult, DeliveryChannel, EmailAttachment } from '../../mailchimp/channel.js';
import type { AuditActor, AuditInput, AuditOutcome } from '../../store/audit.js';
import { LeaseLostError, type SendLedger, type SendRecord } from '../../store/sends.js';
import type { SendOutcome, SendSummary } from '../ports.js';

/** What a person sees when something other than Mailchimp's own answer went wrong; the details are logged. */
export const UNEXPECTED = 'something went wrong on our side; the details are in the bot\'s log.';

export function summarizeSend(record: SendRecord): SendSummary {
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

export interface DriveDeps {
  ledger: SendLedger;
  /** This process's name as a lease holder. */
  owner: string;
  clock: Clock;
  logger: Logger;
  audit(entry: AuditInput): Promise<void>;
}

export interface DriveJob {
  record: SendRecord;
  channel: DeliveryChannel;
  html: string;
  attachments?: EmailAttachment[];
  /** Read Mailchimp first: the row may have been worked on before (a resumed or retried send). */
  reconcile: boolean;
  /** Whether the channel may still send, or only find out what happened. */
  mayAct: boolean;
  actor: AuditActor;
  action: string;
}

/** Drives a claimed row on its channel and records how it ended, in the ledger and the audit log. */
export async function driveSend(deps: DriveDeps, job: DriveJob): Promise<SendOutcome> {
  const { ledger, owner, clock, logger } = deps;
  const { record } = job;
  const work = {
    record,
    reconcile: job.reconcile,
    mayAct: job.mayAct,
    html: job.html,
    attachments: job.attachments,
    now: () => clock.now(),
    progress: (patch: Partial<SendRecord>) => ledger.advance(record.id, owner, clock.now(), patch),
  };
  /** Another holder took the row over; what it shows now is the answer. */
  const takenOver = async (): Promise<SendOutcome> => ({ kind: 'already-sent', send: summarizeSend((await ledger.get(record.id)) ?? record) });
  let result: ChannelResult;
  try {
    result = await job.channel.deliver(work);
  } catch (error) {
    if (error instanceof LeaseLostError) return takenOver();
    logger.error({ err: error, sendId: record.id }, 'report send stopped unexpectedly');
    result = { kind: 'uncertain', reason: userFacingMessage(error) ?? UNEXPECTED };
  }
  const now = clock.now().toISOString();
  const patch: Partial<SendRecord> =
    result.kind === 'sent'
      ? { status: 'sent', sentAt: result.sentAt ?? now, campaignId: result.campaignId ?? work.record.campaignId, messageIds: result.messageIds, notes: result.notes, error: undefined, uncertain: undefined, sendAttemptedAt: undefined }
      : result.kind === 'uncertain'
        ? { uncertain: true, error: result.reason, campaignId: result.campaignId ?? work.record.campaignId }
        : { status: 'failed', error: result.reason, uncertain: undefined, sendAttemptedAt: undefined, campaignId: result.campaignId ?? work.record.campaignId };
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
  await deps.audit({
    actor: job.actor,
    action: job.action,
    target: { clientId: final.clientId, reportId: final.reportId, sendId: final.id, key: final.key },
    to: final.to,
    mailchimp: { campaignId: final.campaignId, messageIds: final.messageIds },
    outcome: auditOutcome,
    detail: 'reason' in outcome ? outcome.reason : final.notes?.join(' ') || `"${final.subject}" via ${final.channel}${result.kind === 'sent' && result.already ? ', found already sent in Mailchimp' : ''}.`,
  });
  logger.info({ sendId: final.id, key: final.key, status: final.status, campaignId: final.campaignId, outcome: outcome.kind }, 'report send');
  return outcome;
}
