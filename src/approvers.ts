import { UserFacingError } from './errors.js';
/**
 * Who may change who gets what (send, test, discard, fix a client's contact): the APPROVERS setting.
 * Every entry says which platform vouches for the person: `slack:U0123ABCD`, `teams:<AAD object id>`,
 * or an email address, which matches only the address the platform itself reports for the person
 * (Slack users.info, Teams member lookup), never one taken from an incoming payload.
 */

export type Approver =
  | { kind: 'everyone' }
  | { kind: 'slack'; id: string }
  | { kind: 'teams'; id: string }
  | { kind: 'email'; email: string };

/** The acting person as a surface authenticated them; `email` only when the platform vouches for it. */
export interface VerifiedIdentity {
  platform: string;
  id: string;
  email?: string;
}

/** The actions that change who gets what. */
export type GuardedAction = 'send' | 'test' | 'discard' | 'fix' | 'contract' | 'digest' | 'map';

const WHAT: Record<GuardedAction, string> = {
  send: 'send reports to clients',
  test: 'send test emails of a report',
  discard: 'discard a report',
  fix: "change who receives a client's reports",
  contract: "set a client's monthly hours allowance",
  digest: 'post or preview the monthly digest',
  map: 'map clients to SentinelOne sites or Microsoft 365 tenants',
};

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Slack user ids as Slack shows them: U or W and upper-case letters and digits. */
const BARE_SLACK_ID = /^[UW][A-Z0-9]{5,}$/;
const QUALIFIED_ID = /^[A-Za-z0-9_-]+$/;

/** An entry of APPROVERS that cannot be read; its message names the entry and the accepted forms. */
export class ApproversError extends UserFacingError {
  override name = 'ApproversError';
}

/**
 * Reads APPROVERS. A bare id (the old format) still counts for the platform its shape belongs to,
 * with a warning; `*` (everyone) is only allowed in sandbox mode.
 */
export function parseApprovers(text: string, options: { sandbox: boolean }): { approvers: Approver[]; warnings: string[] } {
  const approvers: Approver[] = [];
  const warnings: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [prefix, ...rest] = entry.split(':');
    const id = rest.join(':');
    if (entry === '*') {
      if (!options.sandbox) throw new ApproversError('"*" (everyone) is only allowed in sandbox mode; list the approvers instead (slack:U0123ABCD, teams:<AAD object id> or an email address)');
      approvers.push({ kind: 'everyone' });
    } else if (rest.length > 0 && prefix!.toLowerCase() === 'slack' && QUALIFIED_ID.test(id)) {
      approvers.push({ kind: 'slack', id: id.toUpperCase() });
    } else if (rest.length > 0 && prefix!.toLowerCase() === 'teams' && QUALIFIED_ID.test(id)) {
      approvers.push({ kind: 'teams', id: id.toLowerCase() });
    } else if (EMAIL.test(entry)) {
      approvers.push({ kind: 'email', email: entry.toLowerCase() });
    } else if (BARE_SLACK_ID.test(entry)) {
      approvers.push({ kind: 'slack', id: entry });
      warnings.push(`APPROVERS entry "${entry}" has no platform; it is read as a Slack user (write slack:${entry})`);
    } else if (GUID.test(entry)) {
      approvers.push({ kind: 'teams', id: entry.toLowerCase() });
      warnings.push(`APPROVERS entry "${entry}" has no platform; it is read as a Teams user's AAD object id (write teams:${entry})`);
    } else {
      throw new ApproversError(`entry "${entry}" is not valid: expected slack:U0123ABCD, teams:<AAD object id>, an email address, or * in sandbox mode`);
    }
  }
  return { approvers, warnings };
}

/**
 * Whether this person may act. The command line acts with the data folder's full rights (whoever runs
 * it can read the secrets and edit the files anyway); everyone else must match an entry of their own platform.
 */
export function isApprover(approvers: readonly Approver[], who: VerifiedIdentity): boolean {
  if (who.platform === 'cli') return true;
  const email = who.email?.trim().toLowerCase();
  return approvers.some((approver) => {
    switch (approver.kind) {
      case 'everyone':
        return true;
      case 'slack':
        return who.platform === 'slack' && who.id.toUpperCase() === approver.id;
      case 'teams':
        return who.platform === 'teams' && who.id.toLowerCase() === approver.id;
      case 'email':
        return !!email && email === approver.email;
    }
  });
}

function describe(approver: Approver): string {
  switch (approver.kind) {
    case 'everyone':
      return 'anyone';
    case 'slack':
      return `Slack user ${approver.id}`;
    case 'teams':
      return `Teams user ${approver.id}`;
    case 'email':
      return approver.email;
  }
}

/** "Only approvers can <do this>. Ask one of: …" with the approvers a person on `platform` can reach. */
export function approvalRefusal(approvers: readonly Approver[], action: GuardedAction, platform: string): string {
  const reachable = approvers.filter((approver) => approver.kind === 'email' || approver.kind === platform);
  const who = reachable.length > 0
    ? `Ask one of: ${reachable.map(describe).join(', ')}.`
    : approvers.length > 0
      ? `None of them uses ${platform}; ask whoever runs IntegoReport.`
      : 'None are set up: whoever runs IntegoReport lists them in APPROVERS.';
  return `Only approvers can ${WHAT[action]}. ${who}`;
}

/** A person tried an approver's action; the message says who can do it instead. */
export class NotAllowedError extends UserFacingError {
  override name = 'NotAllowedError';

  override get retryable(): boolean {
    return false;
  }
}

/** Throws NotAllowedError unless this person may take this action. */
export function requireApprover(approvers: readonly Approver[], who: VerifiedIdentity, action: GuardedAction): void {
  if (!isApprover(approvers, who)) throw new NotAllowedError(approvalRefusal(approvers, action, who.platform));
}
