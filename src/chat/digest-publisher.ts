/**
 * Posts the monthly digest to every platform's targets and keeps every copy up to date as clients
 * are approved. Also handles the digest buttons for the shared chat core (both platforms).
 */
import type { Actor, SendOutcome } from '../app/ports.js';
import { approvableRows, approvalFingerprint, approveAllRows, approveDigestRow, digestReports, prepareDigest, type DigestDeps } from '../app/digest.js';
import type { Logger } from '../logger.js';
import type { Period } from '../period/period.js';
import { digestIdFor, type DigestPost, type DigestRecord, type PostedRef } from '../store/digests.js';
import { UserFacingError } from '../errors.js';
import type { ChatAction, ChatSurface, ConversationRef } from './surface.js';
import { digestHeaderView, digestRowView, digestViews, parseApproveAllValue, parseApproveValue, parseRegenerateValue, type DigestSnapshot } from './views/digest.js';
import { typedCommand, type View } from './views/view.js';
import { errorView, noticeView } from './views/builders.js';

/** One platform's way to post the digest (Slack chat.postMessage, Teams proactive messages). */
export interface DigestPoster {
  readonly platform: DigestPost['platform'];
  /** How commands are typed on this platform (see ChatSurface). */
  readonly commandPrefix: string;
  /** Where the digest goes now: Slack channel ids, active Teams channel conversations. */
  targets(): Promise<string[]>;
  /** Posts a message; with `thread`, as a reply under that message. */
  post(target: string, view: View, thread?: PostedRef): Promise<PostedRef>;
  update(ref: PostedRef, view: View): Promise<void>;
}

export interface PublishResult {
  digestId: string;
  period: string;
  rows: number;
  ready: number;
  posted: Array<{ platform: string; target: string; messages: number }>;
  failed: Array<{ platform: string; target: string; reason: string }>;
  sync?: DigestRecord['sync'];
}

/** What posting the digest into one conversation did. */
export interface PostedHere {
  digestId: string;
  /** New messages posted; 0 when the digest was already there (its header was brought up to date). */
  messages: number;
  ready: number;
  rows: number;
}

export interface DigestPublisher {
  /** Prepares the digest for the period and posts it wherever it has not been posted yet. */
  run(actor: Actor, period: Period, options?: { onProgress?(text: string): void }): Promise<PublishResult>;
  /** Prepares the digest for the period and posts it into the conversation where an approver asked for it. */
  postHere(actor: Actor, period: Period, where: ConversationRef, options?: { onProgress?(text: string): void }): Promise<PostedHere>;
  /** Prepares the digest without posting anything (CLI dry run). */
  preview(actor: Actor, period: Period, options?: { onProgress?(text: string): void }): Promise<DigestSnapshot>;
  snapshot(digestId: string): Promise<DigestSnapshot | undefined>;
  /** Whether any platform has a place to post the digest right now. */
  hasTargets(): Promise<boolean>;
  /** Updates a client's row and the header in every copy of the period's digest (a send finished elsewhere, e.g. at start-up). */
  refreshClient(periodKey: string, clientId: number): Promise<void>;
  /** The chat core's handler for `digest.approve`, `digest.approveAll` and `digest.regenerate`. */
  handleAction(actor: Actor, action: ChatAction, surface: ChatSurface): Promise<void>;
}

/** The digest message the button was pressed on: it is refreshed through the presser's own surface. */
interface Origin {
  platform: Actor['platform'];
  surface: ChatSurface;
  id: string;
}

/** Refreshes a header this often during Approve all, so a long run shows progress without updating it 100 times. */
const HEADER_REFRESH_EVERY = 10;

export function createDigestPublisher(deps: { digest: DigestDeps; posters: DigestPoster[]; logger: Logger }): DigestPublisher {
  const { digest: digestDeps, posters, logger } = deps;
  const { store } = digestDeps;

  async function snapshot(digestId: string, clientIds?: number[]): Promise<DigestSnapshot | undefined> {
    const digest = await store.get(digestId);
    return digest && { digest, reports: await digestReports(digestDeps, digest, clientIds) };
  }

  /** Posts the header and any missing row to one target; records what was posted even when a row fails. */
  async function publishTo(poster: DigestPoster, target: string, current: DigestSnapshot, options: { updateHeader?: boolean } = {}): Promise<number> {
    const views = digestViews(current, poster.commandPrefix);
    const existing = current.digest.posts.find((post) => post.platform === poster.platform && post.target === target);
    const post: DigestPost = existing
      ? { ...existing, rows: { ...existing.rows } }
      : { platform: poster.platform, target, header: await poster.post(target, views.header), rows: {}, postedAt: digestDeps.clock.now().toISOString() };
    let messages = existing ? 0 : 1;
    try {
      for (const row of views.rows) {
        if (post.rows[row.clientId]) continue;
        post.rows[row.clientId] = await poster.post(target, row.view, post.header);
        messages += 1;
      }
      if (existing && options.updateHeader !== false) await poster.update(post.header, views.header);
    } finally {
      await store.addPost(current.digest.id, post);
    }
    return messages;
  }

  async function prepare(actor: Actor, period: Period, onProgress?: (text: string) => void): Promise<DigestSnapshot> {
    const digest = await prepareDigest(digestDeps, actor, period, { onProgress });
    return { digest, reports: await digestReports(digestDeps, digest) };
  }

  /** Updates the given rows and (optionally) the header in every copy of the digest. */
  async function refresh(digestId: string, options: { clientIds: number[]; header: boolean; origin?: Origin }): Promise<void> {
    const current = await snapshot(digestId, options.header ? undefined : options.clientIds);
    if (!current) return;
    const { digest, reports } = current;
    /** Each message with its new view, worded for whichever surface delivers it. */
    const updates: Array<{ platform: DigestPost['platform']; ref: PostedRef; view: (prefix: string) => View }> = [];
    for (const post of digest.posts) {
      for (const clientId of options.clientIds) {
        const ref = post.rows[clientId];
        const row = digest.rows.find((entry) => entry.clientId === clientId);
        if (ref && row) updates.push({ platform: post.platform, ref, view: () => digestRowView(digest, row, reports.get(clientId)) });
      }
      if (options.header) updates.push({ platform: post.platform, ref: post.header, view: (prefix) => digestHeaderView(current, prefix) });
    }
    const { origin } = options;
    for (const update of updates) {
      try {
        if (origin && origin.platform === update.platform && origin.id === update.ref.id) {
          await origin.surface.update({ id: origin.id }, update.view(origin.surface.commandPrefix));
          continue;
        }
        const poster = posters.find((candidate) => candidate.platform === update.platform);
        await poster?.update(update.ref, update.view(poster.commandPrefix));
      } catch (error) {
        logger.warn({ err: error, platform: update.platform, target: update.ref.target }, 'digest: could not update a message');
      }
    }
  }

  function originOf(actor: Actor, surface: ChatSurface): Origin | undefined {
    return surface.origin && !surface.origin.ephemeral ? { platform: actor.platform, surface, id: surface.origin.id } : undefined;
  }

  /** What a person is told privately when a row was not sent; a newer report of the period is sent from chat, not from this row. */
  async function notSent(outcome: SendOutcome, row: { clientName: string; reportId?: string }, periodKey: string, surface: ChatSurface): Promise<void> {
    if (outcome.kind === 'refused' || outcome.kind === 'failed') await surface.ephemeral(errorView(outcome.reason));
    if (outcome.kind === 'changed') {
      const next = outcome.reportId === row.reportId
        ? 'The row now shows it; check it and press Approve & send again.'
        : `Send it with ${typedCommand(surface.commandPrefix, `send "${row.clientName}" ${periodKey}`)}.`;
      await surface.ephemeral(errorView(`${outcome.reason} ${next}`));
    }
  }

  async function approveOne(actor: Actor, value: string, surface: ChatSurface): Promise<void> {
    const parsed = parseApproveValue(value);
    const digest = parsed && (await store.get(parsed.digestId));
    const row = digest?.rows.find((entry) => entry.clientId === parsed?.clientId);
    if (!parsed || !digest || !row) {
      await surface.ephemeral(errorView('That digest button is no longer valid.', `Send the report with ${typedCommand(surface.commandPrefix, 'send <client> <period>')}.`));
      return;
    }
    const outcome = await approveDigestRow(digestDeps, actor, digest, parsed.clientId, { version: parsed.version, to: parsed.to });
    await refresh(digest.id, { clientIds: [parsed.clientId], header: outcome.kind === 'sent', origin: originOf(actor, surface) });
    await notSent(outcome, row, digest.periodKey, surface);
  }

  async function approveAll(actor: Actor, value: string, surface: ChatSurface): Promise<void> {
    const parsed = parseApproveAllValue(value);
    const current = parsed && (await snapshot(parsed.digestId));
    if (!parsed || !current) {
      await surface.ephemeral(errorView('That digest button is no longer valid.', `Send the reports with ${typedCommand(surface.commandPrefix, 'send <client> <period>')}.`));
      return;
    }
    const digestId = current.digest.id;
    const origin = originOf(actor, surface);
    const pending = approvableRows(current.digest, current.reports);
    if (approvalFingerprint(pending) !== parsed.shown) {
      await refresh(digestId, { clientIds: pending.map(({ row }) => row.clientId), header: true, origin });
      await surface.ephemeral(errorView('Reports or contacts changed since this digest was shown; it now shows them as they are. Check them and press Approve all again.'));
      return;
    }
    if (origin) await surface.update({ id: origin.id }, digestHeaderView(current, surface.commandPrefix, `Sending the approved reports, approved by ${actor.name}…`));
    let count = 0;
    const results = await approveAllRows(digestDeps, actor, pending, async (clientId, outcome) => {
      if (outcome.kind === 'refused' || outcome.kind === 'failed') return;
      count += 1;
      await refresh(digestId, { clientIds: [clientId], header: count % HEADER_REFRESH_EVERY === 0 });
    });
    await refresh(digestId, { clientIds: [], header: true, origin });
    const sent = results.filter((result) => result.outcome.kind === 'sent').length;
    const problems = results.filter((result) => result.outcome.kind === 'refused' || result.outcome.kind === 'failed' || result.outcome.kind === 'changed');
    if (problems.length > 0) {
      const lines = problems.slice(0, 10).map((problem) => `${problem.clientName}: ${(problem.outcome as { reason: string }).reason}`);
      await surface.ephemeral(errorView(`Sent ${sent} report${sent === 1 ? '' : 's'}; ${problems.length} not sent. ${lines.join(' ')}`));
    } else {
      await surface.ephemeral(noticeView(sent === 0 ? 'Nothing left to send: every linked client was already sent.' : `Sent ${sent} report${sent === 1 ? '' : 's'}.`, 'success'));
    }
  }

  /** Generate again on a discarded draft: a new draft for the client, shown in every copy of the digest. */
  async function regenerate(actor: Actor, value: string, surface: ChatSurface): Promise<void> {
    const parsed = parseRegenerateValue(value);
    const digest = parsed && (await store.get(parsed.digestId));
    const row = digest?.rows.find((entry) => entry.clientId === parsed?.clientId);
    if (!parsed || !digest || !row) {
      await surface.ephemeral(errorView('That digest button is no longer valid.', `Generate the report with ${typedCommand(surface.commandPrefix, 'generate <client> <period>')}.`));
      return;
    }
    const period = digestDeps.services.parsePeriod(digest.periodKey);
    await surface.ephemeral(noticeView(`Generating the ${digest.periodLabel} report for ${row.clientName} again; it will appear in the digest.`));
    const draft = await digestDeps.generateDraft(actor, { id: row.clientId, name: row.clientName }, period);
    const updated = await store.updateRow(digest.id, {
      clientId: row.clientId,
      clientName: row.clientName,
      status: draft.numbers.tickets > 0 ? 'ready' : 'empty',
      reportId: draft.reportId,
      numbers: draft.numbers,
    });
    const current = { digest: updated, reports: await digestReports(digestDeps, updated) };
    for (const post of updated.posts) {
      const poster = posters.find((candidate) => candidate.platform === post.platform);
      if (!poster) continue;
      try {
        await publishTo(poster, post.target, current, { updateHeader: false });
      } catch (error) {
        logger.warn({ err: error, platform: post.platform, target: post.target }, 'digest: could not post a new draft');
      }
    }
    await refresh(digest.id, { clientIds: [row.clientId], header: true, origin: originOf(actor, surface) });
  }

  return {
    refreshClient: (periodKey, clientId) => refresh(digestIdFor(periodKey), { clientIds: [clientId], header: true }),
    async run(actor, period, options = {}) {
      const current = await prepare(actor, period, options.onProgress);
      const result: PublishResult = {
        digestId: current.digest.id,
        period: period.key,
        rows: current.digest.rows.length,
        ready: current.digest.rows.filter((row) => row.status === 'ready').length,
        posted: [],
        failed: [],
        sync: current.digest.sync,
      };
      for (const poster of posters) {
        for (const target of await poster.targets()) {
          try {
            options.onProgress?.(`Posting to ${poster.platform} ${target}…`);
            result.posted.push({ platform: poster.platform, target, messages: await publishTo(poster, target, current) });
          } catch (error) {
            logger.error({ err: error, platform: poster.platform, target }, 'digest: posting failed');
            result.failed.push({ platform: poster.platform, target, reason: error instanceof Error ? error.message : String(error) });
          }
          current.digest = (await store.get(current.digest.id)) ?? current.digest;
        }
      }
      return result;
    },
    async postHere(actor, period, where, options = {}) {
      const poster = posters.find((candidate) => candidate.platform === where.platform);
      if (!poster) throw new UserFacingError(`The digest cannot be posted in ${where.platform === 'slack' ? 'Slack' : 'Teams'} from this process.`);
      const current = await prepare(actor, period, options.onProgress);
      const messages = await publishTo(poster, where.id, current);
      return {
        digestId: current.digest.id,
        messages,
        ready: current.digest.rows.filter((row) => row.status === 'ready').length,
        rows: current.digest.rows.length,
      };
    },
    preview: (actor, period, options = {}) => prepare(actor, period, options.onProgress),
    snapshot: (digestId) => snapshot(digestId),
    async hasTargets() {
      for (const poster of posters) if ((await poster.targets()).length > 0) return true;
      return false;
    },
    async handleAction(actor, action, surface) {
      const refusal = digestDeps.services.refusal(actor, 'send');
      if (refusal) {
        await surface.ephemeral(errorView(refusal));
        return;
      }
      if (action.id === 'digest.approveAll') return approveAll(actor, action.value, surface);
      if (action.id === 'digest.regenerate') return regenerate(actor, action.value, surface);
      return approveOne(actor, action.value, surface);
    },
  };
}
