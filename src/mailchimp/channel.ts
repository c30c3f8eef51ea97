import type { SendChannel, SendRecord } from '../store/sends.js';

/** A file sent with the email (the report's PDF); only Mailchimp Transactional can attach one. */
export interface EmailAttachment {
  name: string;
  /** MIME type, e.g. application/pdf. */
  type: string;
  content: Buffer;
}

/** One attempt to deliver a ledger row, handed to the channel by the send use-case. */
export interface DeliveryJob {
  record: SendRecord;
  /** The row existed before this attempt (crash, failure, unanswered call): read Mailchimp before acting. */
  reconcile: boolean;
  /** False when the row is too old to finish unattended: only find out whether it went. */
  mayAct: boolean;
  /** The email body, merge tags already neutralised. */
  html: string;
  attachments?: EmailAttachment[];
  now(): Date;
  /** Saves progress to the ledger before the next side-effecting call; throws LeaseLostError if the row was taken over. */
  progress(patch: Partial<SendRecord>): Promise<SendRecord>;
}

/**
 * `refused` and `failed` are certain that nothing reached the client; `uncertain` means Mailchimp
 * may have acted (no answer), so the row stays open and the next attempt reads Mailchimp first.
 */
export type ChannelResult =
  /** `already`: Mailchimp shows it went out before this attempt (an earlier, unanswered or interrupted one). */
  | { kind: 'sent'; campaignId?: string; messageIds?: string[]; sentAt?: string; notes?: string[]; already?: boolean }
  | { kind: 'refused'; reason: string; campaignId?: string }
  | { kind: 'failed'; reason: string; campaignId?: string }
  | { kind: 'uncertain'; reason: string; campaignId?: string };

export interface TestEmail {
  key: string;
  subject: string;
  html: string;
  to: string;
  attachments?: EmailAttachment[];
}

export interface DeliveryChannel {
  readonly name: SendChannel;
  /** Whether the service itself marks a test's subject (Mailchimp puts "[Test]" before a campaign test's); else the sender does. */
  readonly marksTestSubjects: boolean;
  /** Checks, at start-up, what the channel needs before its first send; logs what it finds and never throws. */
  prepare?(): Promise<void>;
  deliver(job: DeliveryJob): Promise<ChannelResult>;
  /** Sends to one person only; leaves nothing a real send could mistake for itself. */
  sendTest(email: TestEmail): Promise<{ campaignId?: string; messageIds?: string[] }>;
}

/** How many times one attempt locates-and-continues after an unanswered call before leaving the row open. */
export const MAX_PASSES = 3;

/** What the send use-case may drive; a row finishes on the channel it began on. */
export type DeliveryChannels = Partial<Record<SendChannel, DeliveryChannel>> & { preferred: SendChannel };

export const NOT_RESUMED = 'The send was interrupted and is too old to finish on its own; nothing went out. Send it again if it is still wanted.';
