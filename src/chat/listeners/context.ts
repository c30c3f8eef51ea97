/**
 * What every listener gets: the use-cases, the clock and logger, and the core's shared ways of answering
 * (a failure as one sentence, a refusal naming who may, suggestions for a name that is not one client).
 */
import type { Actor, BotServices, ReportSummary } from '../../app/ports.js';
import type { ClientEntry } from '../../clients/types.js';
import type { Clock } from '../../clock.js';
import type { GuardedAction } from '../../approvers.js';
import type { Logger } from '../../logger.js';
import { isRetryable, userFacingMessage } from '../../errors.js';
import { FuturePeriodError, PeriodError, type Period } from '../../period/period.js';
import { PERIOD_FORMS } from '../../period/forms.js';
import type { ChatAction, ChatSurface } from '../surface.js';
import type { DigestPublisher } from '../digest-publisher.js';
import { clientChoiceView, errorView, sentView, summaryView } from '../views/builders.js';
import { typedCommand, type PickValue, type View } from '../views/view.js';

export interface ListenerContext {
  services: BotServices;
  logger: Logger;
  clock: Clock;
  /** Minimum time between two progress updates of one message in the same phase. */
  progressIntervalMs: number;
  /** How long a press waits for someone else's send of the same report to end before answering. */
  settleWaitMs: number;
  /** The monthly digest: `digest` typed in chat and its buttons (`digest.*`); absent where no digest runs. */
  digest?: Pick<DigestPublisher, 'handleAction' | 'postHere' | 'preview'>;
  /** Runs `work` unless the same work (by key) is already running; then `onDuplicate` instead. */
  once(key: string, work: () => Promise<void>, onDuplicate?: () => Promise<void>): Promise<void>;
}

const GENERIC_FAILURE = 'Something went wrong on our side; the details are in the bot\'s log.';

export function parseJson<T>(value: string): T | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? (parsed as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The view for a failure: its own sentence when it is one of ours, a generic one (and a log line) otherwise. */
export function failureView(ctx: ListenerContext, error: unknown, context: string, prefix: string): View {
  if (error instanceof FuturePeriodError) {
    return errorView(error.message, `Pick a period that has begun, e.g. ${typedCommand(prefix, 'generate <client> this-month')} or last-month.`);
  }
  if (error instanceof PeriodError) {
    return errorView(error.problem, `Accepted forms: ${PERIOD_FORMS.join(', ')}`);
  }
  const sentence = userFacingMessage(error);
  if (sentence) {
    ctx.logger.warn({ err: error, context }, 'chat request failed');
    return errorView(sentence, isRetryable(error)
      ? `Trying again in a minute can help; if it keeps failing, check ${typedCommand(prefix, 'status')}.`
      : 'Trying the same again will not help; change what the message names first.');
  }
  ctx.logger.error({ err: error, context }, 'chat request failed unexpectedly');
  return errorView(GENERIC_FAILURE, 'Try again; if it keeps failing, ask whoever runs the bot to look at the log.');
}

/** Says privately who may do this when the person may not; true when refused. */
export async function refused(ctx: ListenerContext, actor: Actor, action: GuardedAction, surface: ChatSurface): Promise<boolean> {
  const refusal = ctx.services.refusal(actor, action);
  if (refusal) await surface.ephemeral(errorView(refusal));
  return refusal !== undefined;
}

/** Replaces the message the button sits on, or posts the view when there is none. */
export async function show(surface: ChatSurface, view: View): Promise<void> {
  if (surface.origin) await surface.update(surface.origin, view);
  else await surface.reply(view);
}

/** A report as its card: who sent it once it went out, the approval card before. */
export function reportCard(report: ReportSummary): View {
  return report.send?.status === 'sent' ? sentView(report) : summaryView(report);
}

export async function clientById(ctx: ListenerContext, id: number): Promise<ClientEntry | undefined> {
  return (await ctx.services.listClients()).find((client) => client.id === id);
}

/** A button's JSON value and the client it names; says so and returns undefined when that client is gone. */
export async function valueWithClient<T extends { clientId: number }>(ctx: ListenerContext, text: string, surface: ChatSurface): Promise<{ value: T; client: ClientEntry } | undefined> {
  const value = parseJson<T>(text);
  const client = value && (await clientById(ctx, Number(value.clientId)));
  if (!value || !client) {
    await surface.ephemeral(errorView('That client no longer exists.', `See the current list with ${typedCommand(surface.commandPrefix, 'clients')}.`));
    return undefined;
  }
  return { value, client };
}

/** Resolves a typed name; shows suggestions and returns undefined when it is not exactly one client. */
export async function resolveClient(ctx: ListenerContext, text: string, surface: ChatSurface, command: PickValue['command'], period?: string, hours?: number | null, mapTo?: PickValue['mapTo']): Promise<ClientEntry | undefined> {
  const lookup = await ctx.services.findClient(text);
  if (lookup.kind === 'found') return lookup.client;
  await surface.ephemeral(clientChoiceView(surface.commandPrefix, text, lookup, command, period, hours, mapTo));
  return undefined;
}

/** Validates the period first so a typo costs nothing; shows the accepted forms when it is wrong. */
export async function periodOrExplain(ctx: ListenerContext, text: string | undefined, surface: ChatSurface): Promise<Period | undefined> {
  try {
    return ctx.services.parsePeriod(text);
  } catch (error) {
    if (!(error instanceof PeriodError)) throw error;
    await surface.ephemeral(failureView(ctx, error, 'period', surface.commandPrefix));
    return undefined;
  }
}

export async function reportOrExplain(ctx: ListenerContext, reportId: string, surface: ChatSurface): Promise<ReportSummary | undefined> {
  const report = await ctx.services.getReport(reportId);
  if (!report) {
    await surface.ephemeral(errorView('That report no longer exists.', `Generate it again with ${typedCommand(surface.commandPrefix, 'generate <client> [period]')}.`));
  }
  return report;
}
