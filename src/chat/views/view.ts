/**
 * The platform-neutral view model: what a chat user sees, described once. `slack/render.ts` turns a
 * View into Block Kit, `teams/render.ts` into an Adaptive Card. Every text here is PLAIN text (no
 * mrkdwn, no markdown, no HTML); renderers escape it for their platform and enforce its size limits.
 */
import type { KeyFigure } from '../../report/figures.js';

export type { KeyFigure };

/**
 * Every button and form the bot understands. The `value` format per action:
 * - `clients.page`: JSON {@link PageValue}
 * - `client.fix`, `client.fix.submit`: JSON {@link FixValue}
 * - `client.fix.confirm`: JSON {@link FixValue} with what was typed, after a warning the approver confirms
 * - `client.pick`: JSON {@link PickValue} (a choice from "did you mean" suggestions)
 * - `report.generate`: JSON {@link GenerateValue}
 * - `report.open`: report id (a link button; the click itself needs no work)
 * - `report.send`: JSON {@link SendValue}: the report and what its confirmation named
 * - `report.resend`: JSON {@link ResendValue}: the same, and the period's send it repeats
 * - `report.test`, `report.discard`: report id
 * - `client.history`: client id
 * - `digest.approve`: JSON {@link ApproveValue}; `digest.approveAll`: JSON {@link ApproveAllValue}
 * - `digest.regenerate`: JSON {@link RegenerateValue} (Generate again on a discarded draft in the digest)
 */
export type ActionId =
  | 'clients.page'
  | 'client.fix'
  | 'client.fix.submit'
  | 'client.fix.confirm'
  | 'client.pick'
  | 'client.history'
  | 'report.generate'
  | 'report.open'
  | 'report.send'
  | 'report.resend'
  | 'report.test'
  | 'report.discard'
  | 'digest.approve'
  | 'digest.approveAll'
  | 'digest.regenerate';

export interface PageValue { page: number; unlinked: boolean }
/**
 * `page`/`unlinked`: the client list page the form came from; `reportId`: the approval card it came from;
 * `typed`: what was chosen and typed in the form, to show it again after a refusal or to confirm it.
 */
export interface FixValue { clientId: number; page?: number; unlinked?: boolean; reportId?: string; typed?: FixTyped }
/** The fix form's choice and email input as submitted. */
export interface FixTyped { contact?: string; email?: string }
/** `hours`: for `contract`, the allowance typed (null removes it, absent shows it). */
export interface PickValue { command: 'generate' | 'send' | 'fix' | 'history' | 'contract' | 'map'; clientId: number; period?: string; hours?: number | null; mapTo?: { source: string; target: string } }
export interface GenerateValue { clientId: number; period: string }
/** A send button: the report, its version and every address its confirmation names; only that is sent. */
export interface SendValue { reportId: string; version: number; to: string[] }
/** Send again: a second email on purpose, after the period's send `after` the card showed. */
export interface ResendValue extends SendValue { after: string }
/** A digest row's Approve & send: which digest and client, and what its confirmation named. */
export interface ApproveValue { digestId: string; clientId: number; version: number; to: string[] }
/** Approve all: the digest and a fingerprint of the reports and addresses its confirmation covered. */
export interface ApproveAllValue { digestId: string; shown: string }
/** Generate again in the digest: which digest and client. */
export interface RegenerateValue { digestId: string; clientId: number }

export type Tone = 'info' | 'success' | 'warning' | 'error';

/** A native "are you sure?" dialog (Slack `confirm`; Teams shows a confirm step). */
export interface Confirm {
  title: string;
  text: string;
  confirm: string;
  deny: string;
}

export interface Button {
  action: ActionId;
  label: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: Confirm;
  /** When set, the button opens this URL (Slack url button, Teams Action.OpenUrl). */
  url?: string;
}

export interface Fact {
  label: string;
  value: string;
}

export interface Section {
  title?: string;
  text?: string;
  fields?: Fact[];
  accessory?: Button;
}

export interface Input {
  /** Key of the value in `action.inputs` when the form is submitted. */
  id: string;
  label: string;
  kind: 'text' | 'email';
  placeholder?: string;
  initial?: string;
  optional?: boolean;
  hint?: string;
}

/** A single-choice list (Slack radio buttons, Teams ChoiceSet expanded). */
export interface ChoiceList {
  /** Key of the chosen value in `action.inputs`. */
  id: string;
  label: string;
  options: Array<{ value: string; label: string; description?: string }>;
  initial?: string;
  optional?: boolean;
}

export interface Paging {
  page: number;
  pageCount: number;
  itemCount: number;
  previous?: Button;
  next?: Button;
}

/**
 * What a view is. Renderers switch on it (Teams picks its Adaptive Card template by it, Slack shows a
 * form as a dialog); what a view holds never decides how it is shown.
 */
export type ViewKind =
  /** A sentence and what to do next: notices, refusals, failures, typos. */
  | 'notice'
  | 'error'
  | 'mistake'
  | 'help'
  | 'status'
  | 'client-list'
  | 'client'
  /** "Did you mean…": the closest clients as buttons. */
  | 'client-choice'
  | 'fix-form'
  /** Long work under way; the message is replaced when it is done. */
  | 'progress'
  /** The approval card: key figures, View report, Send to client, Send test to me, Discard. */
  | 'report'
  | 'report-sent'
  | 'report-discarded'
  | 'report-missing'
  | 'history'
  | 'digest-header'
  | 'digest-row';

export interface View {
  kind: ViewKind;
  title?: string;
  text?: string;
  facts?: Fact[];
  tiles?: KeyFigure[];
  sections?: Section[];
  buttons?: Button[];
  inputs?: Input[];
  choices?: ChoiceList;
  /** Small grey lines at the bottom (who, when, hints). */
  context?: string[];
  paging?: Paging;
  tone?: Tone;
  /** For forms: what submitting sends back as `{ id: action, value, inputs }`. */
  submit?: { action: ActionId; label: string; value: string };
}

/**
 * A command as people type it where the view is shown: `prefix` is the surface's ("/integoreport" in
 * Slack; nothing in Teams, where the command follows @IntegoReport in channels).
 */
export function typedCommand(prefix: string, command: string): string {
  return prefix ? `${prefix} ${command}` : command;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Plain-text date and time, e.g. "25 Nov 2026, 14:05 UTC". */
export function formatWhen(iso: string | undefined, timezone = 'UTC'): string {
  if (!iso) return 'unknown time';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
    formatters.set(timezone, formatter);
  }
  return `${formatter.format(date)} ${timezone}`;
}
