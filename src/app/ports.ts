import type { ClientEntry, ClientFix, ClientLookup, ContactSuggestion } from '../clients/types.js';
import type { Period } from '../period/period.js';
import type { KeyFigure } from '../report/figures.js';
import type { CardAddress } from '../store/sends.js';
import type { GuardedAction } from '../approvers.js';
import type { SourceHeadline } from '../store/reports.js';
import type { SourceMapping } from './sources.js';

/**
 * The use-cases every surface (Slack, Teams, playground, CLI) calls. Chat code depends on this
 * interface only; `src/compose/runtime.ts` provides the implementation built from the real adapters.
 */

export interface Actor {
  platform: 'slack' | 'teams' | 'cli' | 'scheduler';
  /** Platform user id, as the platform authenticated it (Slack U…, Teams AAD object id, CLI `--as` or user name). */
  id: string;
  name: string;
  /**
   * The address the platform itself reports for the person (Slack users.info, Teams member lookup), never
   * one from the request: it may match an email approver, and "Send test to me" goes there.
   */
  email?: string;
  /** CLI only: the operating-system account that ran the command. */
  osUser?: string;
}

export interface ReportSummary {
  id: string;
  /** 1 for the first report of this client and period; each regeneration adds one. */
  version: number;
  client: { id: number; name: string };
  period: { key: string; label: string; from: string; to: string };
  createdAt: string;
  createdBy: string;
  figures: KeyFigure[];
  /** What each mapped data source beside the helpdesk added (one line), or why it added nothing. */
  sources?: SourceHeadline[];
  ticketCount: number;
  /** Signed link to the web rendering. */
  viewUrl: string;
  /** Signed link to the PDF, when the report has one. */
  pdfUrl?: string;
  /** Why the report has no PDF. */
  pdfProblem?: string;
  /** The linked recipient and internal copy, when the client is linked. */
  recipient?: string;
  copyTo?: string;
  discarded?: boolean;
  /** Who discarded it. */
  discardedBy?: string;
  send?: SendSummary;
  /** The last send of this client and period that reached the client, whichever version of the report it was. */
  periodSend?: PeriodSend;
}

/** A client-period that went out: every card and command for the period says so, and sends again only on purpose. */
export interface PeriodSend {
  sendId: string;
  reportId: string;
  version: number;
  periodLabel: string;
  to: string[];
  sentBy: string;
  sentAt: string;
  /** The figures of the report that went out, to show what changed since. */
  figures: KeyFigure[];
}

export interface SendSummary {
  id: string;
  status: 'requested' | 'campaign-created' | 'content-set' | 'sent' | 'failed';
  to: string[];
  sentBy: string;
  sentAt?: string;
  error?: string;
  mailchimpId?: string;
}

export type SendOutcome =
  | { kind: 'sent'; send: SendSummary }
  | { kind: 'already-sent'; send: SendSummary }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string }
  /** The recipients or the report changed since the person confirmed; `reportId` is the period's report now. */
  | { kind: 'changed'; reason: string; reportId: string };

/** What a person saw when they confirmed a send: the report version and every address it named. */
export interface ConfirmedSend {
  version: number;
  to: string[];
}

export interface ProgressUpdate {
  phase: 'pull' | 'metrics' | 'render' | 'send';
  /** e.g. "Pulling tickets… 120/480". */
  text: string;
  done?: number;
  total?: number;
}

export interface SendOptions {
  /** The period's last send the person saw: sending again on purpose, a second email. */
  resendOf?: string;
  confirmed?: ConfirmedSend;
  /** The chat message the send was pressed on (see CardAddress). */
  card?: CardAddress;
}

export interface BotServices {
  listClients(options?: { unlinkedOnly?: boolean }): Promise<ClientEntry[]>;
  findClient(text: string): Promise<ClientLookup>;
  suggestContacts(clientId: number): Promise<ContactSuggestion[]>;
  fixClient(actor: Actor, clientId: number, fix: ClientFix): Promise<ClientEntry>;
  /** Validates the period text (throws PeriodError with the accepted forms, FuturePeriodError for one that has not begun). */
  parsePeriod(text: string | undefined): Period;
  generateReport(actor: Actor, request: { clientId: number; period: Period; onProgress?: (update: ProgressUpdate) => void }): Promise<ReportSummary>;
  getReport(reportId: string): Promise<ReportSummary | undefined>;
  discardReport(actor: Actor, reportId: string): Promise<ReportSummary>;
  /**
   * Only approvers (as are discardReport, sendTest and fixClient); exactly once per report. `resendOf` names a
   * previous send to send again on purpose; `confirmed` is what the person was shown, and nothing else is sent.
   */
  sendReport(actor: Actor, reportId: string, options?: SendOptions): Promise<SendOutcome>;
  sendTest(actor: Actor, reportId: string, to: string): Promise<SendOutcome>;
  /** Why this person may not take this action, in a sentence naming who may; undefined when they may. */
  refusal(actor: Actor, action: GuardedAction): string | undefined;
  history(clientId: number): Promise<Array<ReportSummary>>;
  /** The client's monthly allowance of billable hours, or null when none is set. */
  contractOf(clientId: number): Promise<{ monthlyHours: number; setBy: string; setAt: string } | null>;
  /** Only approvers: sets the monthly allowance of billable hours, or removes it with null. */
  setContract(actor: Actor, clientId: number, monthlyHours: number | null): Promise<void>;
  /** Every configured data source's mapping for the client (by hand, automatic, or why none). */
  mappingsOf(clientId: number): Promise<SourceMapping[]>;
  /** Only approvers: maps the client to a source's target by id or name, to "none", or back to "auto"; audited. */
  mapClient(actor: Actor, clientId: number, source: string, target: string): Promise<SourceMapping>;
  status(): Promise<{ sandbox: boolean; lastSync?: string; mirrorUpdatedAt?: string; clients: number; linked: number; reports: number; sends: number }>;
}
