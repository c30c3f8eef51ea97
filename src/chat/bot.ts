/**
 * The chat core shared by Slack and Teams: commands and button/form actions in, Views out through
 * a small ChatSurface the platform provides. Knows nothing about Block Kit or Adaptive Cards.
 */
import type { Actor, BotServices, ProgressUpdate, ReportSummary } from '../app/ports.js';
import type { ClientEntry, ClientFix } from '../clients/types.js';
import { parseCommand, type Command } from '../app/commands.js';
import { reportFor } from '../app/report-for.js';
import { PeriodError, type Period } from '../period/period.js';
import { PERIOD_FORMS } from '../period/forms.js';
import type { Clock } from '../clock.js';
import type { GuardedAction } from '../approvers.js';
import type { Logger } from '../logger.js';
import { typedCommand, type ActionId, type FixValue, type GenerateValue, type PageValue, type PickValue, type SendValue, type View } from './views/view.js';
import {
  clientCardView, clientChoiceView, clientListView, discardedView, errorView, fixFormView, helpView,
  historyView, missingReportView, mistakeView, noticeView, progressView, sentView, statusView, summaryView,
} from './views/builders.js';
import { userFacingMessage } from '../errors.js';

/** A message the bot posted (or the one a button sits on). Platforms put whatever they need in `id`. */
export interface MessageRef {
  id: string;
  /** Ephemeral messages can only be replaced a few times; long work posts a new message instead. */
  ephemeral?: boolean;
}

/** What a platform offers the core for one incoming command or action. */
export interface ChatSurface {
  /** How commands are typed here: "/integoreport" in Slack, nothing in Teams; views name commands with it. */
  readonly commandPrefix: string;
  /** Posts a message visible to the conversation. */
  reply(view: View): Promise<MessageRef>;
  /** Replaces a message posted earlier (or the message a button sits on). */
  update(ref: MessageRef, view: View): Promise<void>;
  /** A message only the acting user sees. */
  ephemeral(view: View): Promise<void>;
  /** Opens a form as a dialog (Slack modal). Without it, forms are posted with `reply`. */
  openForm?(view: View): Promise<void>;
  /** The message the button or form came from, when there is one. */
  origin?: MessageRef;
}

export interface ChatAction {
  id: ActionId | string;
  value: string;
  /** Form values by input/choice id, for form submissions. */
  inputs?: Record<string, string | undefined>;
}

export interface ChatBot {
  handleCommand(actor: Actor, text: string, surface: ChatSurface): Promise<void>;
  handleAction(actor: Actor, action: ChatAction, surface: ChatSurface): Promise<void>;
  /** Field errors for a form submission by input id, or undefined when it can be submitted. */
  validateForm(action: ChatAction): Record<string, string> | undefined;
}

export interface ChatBotDeps {
  services: BotServices;
  logger: Logger;
  clock: Clock;
  /** Minimum time between two progress updates of one message in the same phase. */
  progressIntervalMs?: number;
  /** Handles the monthly digest's buttons (`digest.*`); absent where no digest runs. */
  digest?: { handleAction(actor: Actor, action: ChatAction, surface: ChatSurface): Promise<void> };
}

const GENERIC_FAILURE = 'Something went wrong on our side; the details are in the bot\'s log.';
const EMAIL = /^[^\s@<>()"',;]+@[^\s@<>()"',;]+\.[^\s@<>()"',;]+$/;

/** A report as its card: who sent it once it went out, the approval card before. */
function reportCard(report: ReportSummary): View {
  return report.send?.status === 'sent' ? sentView(report) : summaryView(report);
}

/** A send button's value, when it is one that names what was confirmed. */
function parseSendValue(value: string): SendValue | undefined {
  const parsed = parseJson<SendValue>(value);
  return parsed && typeof parsed.reportId === 'string' && Number.isInteger(parsed.version) && Array.isArray(parsed.to) && parsed.to.every((address) => typeof address === 'string')
    ? parsed
    : undefined;
}

function parseJson<T>(value: string): T | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? (parsed as T) : undefined;
  } catch {
    return undefined;
  }
}

/** A fix from the form's choice and email input; undefined when the choice needs an email that is missing. */
function fixFromInputs(client: ClientEntry, inputs: Record<string, string | undefined>): ClientFix | undefined {
  const choice = inputs.contact?.trim() ?? '';
  const email = inputs.email?.trim() ?? '';
  if (choice.startsWith('pick:')) return { kind: 'pick', email: choice.slice(5) };
  if (choice.startsWith('add:')) {
    const person = client.contactToAdd;
    const address = choice.slice(4);
    return person && person.email === address
      ? { kind: 'add-to-audience', email: address, firstName: person.firstName, lastName: person.lastName }
      : { kind: 'add-to-audience', email: address };
  }
  if (choice === 'unlink') return { kind: 'unlink' };
  if (!EMAIL.test(email)) return undefined;
  return choice === 'add-email' ? { kind: 'add-to-audience', email } : { kind: 'email', email };
}

export function createChatBot(deps: ChatBotDeps): ChatBot {
  const { services, logger, clock } = deps;
  const progressIntervalMs = deps.progressIntervalMs ?? 1000;
  /** Work in flight, keyed by what it does; a second identical request while it runs is ignored. */
  const inFlight = new Set<string>();

  async function once(key: string, work: () => Promise<void>, onDuplicate?: () => Promise<void>): Promise<void> {
    if (inFlight.has(key)) {
      await onDuplicate?.();
      return;
    }
    inFlight.add(key);
    try {
      await work();
    } finally {
      inFlight.delete(key);
    }
  }

  /** The view for a failure: its own sentence when it is one of ours, a generic one (and a log line) otherwise. */
  function failureView(error: unknown, context: string, prefix: string): View {
    if (error instanceof PeriodError) {
      return errorView(userFacingMessage(error) ?? 'That period is not one I understand.', `Accepted forms: ${PERIOD_FORMS.join(', ')}`);
    }
    const sentence = userFacingMessage(error);
    if (sentence) {
      logger.warn({ err: error, context }, 'chat request failed');
      return errorView(sentence, `Try again in a minute; if it keeps failing, check ${typedCommand(prefix, 'status')}.`);
    }
    logger.error({ err: error, context }, 'chat request failed unexpectedly');
    return errorView(GENERIC_FAILURE, 'Try again; if it keeps failing, ask whoever runs the bot to look at the log.');
  }

  async function safely(surface: ChatSurface, context: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      await surface.ephemeral(failureView(error, context, surface.commandPrefix)).catch((deliveryError: unknown) => {
        logger.error({ err: deliveryError, context }, 'could not show an error to the user');
      });
    }
  }

  async function clientById(id: number): Promise<ClientEntry | undefined> {
    return (await services.listClients()).find((client) => client.id === id);
  }

  /** A button's JSON value and the client it names; says so and returns undefined when that client is gone. */
  async function valueWithClient<T extends { clientId: number }>(text: string, surface: ChatSurface): Promise<{ value: T; client: ClientEntry } | undefined> {
    const value = parseJson<T>(text);
    const client = value && (await clientById(Number(value.clientId)));
    if (!value || !client) {
      await surface.ephemeral(errorView('That client no longer exists.', `See the current list with ${typedCommand(surface.commandPrefix, 'clients')}.`));
      return undefined;
    }
    return { value, client };
  }

  /** Resolves a typed name; shows suggestions and returns undefined when it is not exactly one client. */
  async function resolveClient(text: string, surface: ChatSurface, command: PickValue['command'], period?: string): Promise<ClientEntry | undefined> {
    const lookup = await services.findClient(text);
    if (lookup.kind === 'found') return lookup.client;
    await surface.ephemeral(clientChoiceView(surface.commandPrefix, text, lookup, command, period));
    return undefined;
  }

  /** Validates the period first so a typo costs nothing; shows the accepted forms when it is wrong. */
  async function periodOrExplain(text: string | undefined, surface: ChatSurface): Promise<Period | undefined> {
    try {
      return services.parsePeriod(text);
    } catch (error) {
      if (!(error instanceof PeriodError)) throw error;
      await surface.ephemeral(failureView(error, 'period', surface.commandPrefix));
      return undefined;
    }
  }

  /** Posts (or takes over) a message for long work, updating it with progress and then the result. */
  async function progressMessage(surface: ChatSurface, first: View, target?: MessageRef) {
    const ref = target && !target.ephemeral ? (await surface.update(target, first), target) : await surface.reply(first);
    let chain: Promise<void> = Promise.resolve();
    let lastAt = Number.NEGATIVE_INFINITY;
    let lastPhase: string | undefined;
    const push = (view: View) => {
      chain = chain.then(() => surface.update(ref, view)).catch((error: unknown) => {
        logger.warn({ err: error }, 'progress update failed');
      });
    };
    return {
      ref,
      progress(update: ProgressUpdate, render: (update: ProgressUpdate) => View) {
        const now = clock.now().getTime();
        if (update.phase === lastPhase && now - lastAt < progressIntervalMs) return;
        lastAt = now;
        lastPhase = update.phase;
        push(render(update));
      },
      async finish(view: View) {
        push(view);
        await chain;
      },
    };
  }

  async function generate(actor: Actor, client: { id: number; name: string }, periodText: string | undefined, surface: ChatSurface, target?: MessageRef) {
    const period = await periodOrExplain(periodText, surface);
    if (!period) return;
    await once(
      `generate|${client.id}|${period.key}`,
      async () => {
        const render = (update?: ProgressUpdate) => progressView(client.name, period.label, update);
        const message = await progressMessage(surface, render(), target);
        try {
          const report = await services.generateReport(actor, {
            clientId: client.id,
            period,
            onProgress: (update) => message.progress(update, render),
          });
          await message.finish(summaryView(report));
        } catch (error) {
          await message.finish({ ...failureView(error, 'generate', surface.commandPrefix), title: `${client.name}: ${period.label}` });
        }
      },
      () => surface.ephemeral(noticeView(`I'm already generating the ${period.label} report for ${client.name}; it will appear in the message above.`)),
    );
  }

  async function showReportToSend(client: ClientEntry, periodText: string | undefined, surface: ChatSurface) {
    const period = await periodOrExplain(periodText, surface);
    if (!period) return;
    const report = await reportFor(services, client, period);
    if (!report) {
      await surface.ephemeral(missingReportView(client, period));
      return;
    }
    await surface.reply(reportCard(report));
  }

  /** Says privately who may do this when the person may not; true when refused. */
  async function refused(actor: Actor, action: GuardedAction, surface: ChatSurface): Promise<boolean> {
    const refusal = services.refusal(actor, action);
    if (refusal) await surface.ephemeral(errorView(refusal));
    return refusal !== undefined;
  }

  async function openFix(actor: Actor, client: ClientEntry, surface: ChatSurface, back?: Omit<FixValue, 'clientId'>) {
    if (await refused(actor, 'fix', surface)) return;
    const suggestions = await services.suggestContacts(client.id);
    const form = fixFormView(client, suggestions, back);
    if (surface.openForm) await surface.openForm(form);
    else await surface.reply(form);
  }

  async function showHistory(client: { id: number; name: string }, surface: ChatSurface) {
    await surface.ephemeral(historyView(client, await services.history(client.id)));
  }

  async function runCommand(actor: Actor, command: Command, surface: ChatSurface): Promise<void> {
    switch (command.name) {
      case 'help':
        return surface.ephemeral(helpView(surface.commandPrefix, command.topic));
      case 'status':
        return surface.ephemeral(statusView(await services.status()));
      case 'clients': {
        const clients = await services.listClients({ unlinkedOnly: command.unlinkedOnly });
        await surface.reply(clientListView(clients, { page: 1, unlinkedOnly: command.unlinkedOnly }));
        return;
      }
      case 'fix':
      case 'history':
      case 'generate':
      case 'send': {
        const period = 'period' in command ? command.period : undefined;
        if (period && !(await periodOrExplain(period, surface))) return;
        const client = await resolveClient(command.client, surface, command.name, period);
        if (client) await runForClient(actor, command.name, client, period, surface);
        return;
      }
    }
  }

  /** The rest of a command once its client is known (typed exactly, or picked from suggestions). */
  async function runForClient(actor: Actor, command: PickValue['command'], client: ClientEntry, period: string | undefined, surface: ChatSurface): Promise<void> {
    if (command === 'generate') return generate(actor, client, period, surface);
    if (command === 'send') return showReportToSend(client, period, surface);
    if (command === 'fix') return openFix(actor, client, surface);
    return showHistory(client, surface);
  }

  async function reportOrExplain(reportId: string, surface: ChatSurface): Promise<ReportSummary | undefined> {
    const report = await services.getReport(reportId);
    if (!report) {
      await surface.ephemeral(errorView('That report no longer exists.', `Generate it again with ${typedCommand(surface.commandPrefix, 'generate <client> [period]')}.`));
    }
    return report;
  }

  async function show(surface: ChatSurface, view: View): Promise<void> {
    if (surface.origin) await surface.update(surface.origin, view);
    else await surface.reply(view);
  }

  /** The card to show after a send did not happen because the report or its contact changed: the period's report now. */
  async function freshCard(outcome: { reason: string; reportId: string }, shown: ReportSummary): Promise<View> {
    const fresh = (await services.getReport(outcome.reportId)) ?? shown;
    return fresh.send?.status === 'sent' ? sentView(fresh) : summaryView(fresh, `${outcome.reason} Check it and press Send again.`);
  }

  async function send(actor: Actor, value: string, surface: ChatSurface) {
    const shown = parseSendValue(value);
    // Cards posted before sends carried what they named hold just the report id.
    const report = await reportOrExplain(shown?.reportId ?? value, surface);
    if (!report) return;
    if (report.send && report.send.status !== 'failed') {
      await show(surface, sentView(report));
      return;
    }
    if (report.discarded) {
      await show(surface, discardedView(report));
      return;
    }
    if (await refused(actor, 'send', surface)) return;
    if (!shown) {
      await show(surface, summaryView(report, 'This card does not say whom it was confirmed for. Check the recipients and press Send again.'));
      return;
    }
    const target = surface.origin && !surface.origin.ephemeral ? surface.origin : undefined;
    const message = await progressMessage(surface, { ...summaryView(report), buttons: [], tone: 'info', text: `Sending to ${shown.to[0] ?? 'the client'}…` }, target);
    try {
      const outcome = await services.sendReport(actor, report.id, { confirmed: { version: shown.version, to: shown.to } });
      switch (outcome.kind) {
        case 'changed':
          await message.finish(await freshCard(outcome, report));
          return;
        case 'sent':
        case 'already-sent':
          await message.finish(sentView(report, outcome.send));
          return;
        case 'refused':
          await message.finish(summaryView(report));
          await surface.ephemeral(errorView(outcome.reason));
          return;
        case 'failed':
          await message.finish(summaryView(report, `Sending failed: ${outcome.reason}`));
          return;
      }
    } catch (error) {
      await message.finish(summaryView(report, failureView(error, 'send', surface.commandPrefix).text));
    }
  }

  async function sendTest(actor: Actor, reportId: string, surface: ChatSurface) {
    if (await refused(actor, 'test', surface)) return;
    if (!actor.email) {
      await surface.ephemeral(errorView('I can\'t see your email address, so I don\'t know where to send the test.', 'Add an email to your profile (or ask an admin to grant the bot users:read.email) and try again.'));
      return;
    }
    const report = await reportOrExplain(reportId, surface);
    if (!report) return;
    const outcome = await services.sendTest(actor, reportId, actor.email);
    if (outcome.kind === 'sent' || outcome.kind === 'already-sent') {
      await surface.ephemeral(noticeView(`Test of the ${report.period.label} report for ${report.client.name} sent to ${actor.email}. Only you received it.`, 'success'));
    } else {
      await surface.ephemeral(errorView(`The test was not sent: ${outcome.reason}`));
    }
  }

  async function discard(actor: Actor, reportId: string, surface: ChatSurface) {
    if (await refused(actor, 'discard', surface)) return;
    const report = await reportOrExplain(reportId, surface);
    if (!report) return;
    if (report.send && report.send.status !== 'failed') {
      await show(surface, sentView(report));
      await surface.ephemeral(errorView('This report was already sent, so it can\'t be discarded.'));
      return;
    }
    const discarded = await services.discardReport(actor, reportId);
    await show(surface, discardedView(discarded, actor.name));
  }

  async function submitFix(actor: Actor, action: ChatAction, surface: ChatSurface) {
    if (await refused(actor, 'fix', surface)) return;
    const found = await valueWithClient<FixValue>(action.value, surface);
    if (!found) return;
    const { value, client } = found;
    const fix = fixFromInputs(client, action.inputs ?? {});
    if (!fix) {
      await surface.ephemeral(errorView('That choice needs an email address like jane@acme.com.', `Try again with ${typedCommand(surface.commandPrefix, `fix "${client.name}"`)}.`));
      return;
    }
    const updated = await services.fixClient(actor, client.id, fix);
    const note = updated.state === 'linked' ? `Linked to ${updated.email ?? 'the contact'} by ${actor.name}.` : `Saved by ${actor.name}.`;
    if (value.reportId && surface.origin) {
      const report = await services.getReport(value.reportId);
      if (report) {
        await surface.update(surface.origin, reportCard(report));
        await surface.ephemeral(noticeView(`${updated.name}: ${note}`, 'success'));
        return;
      }
    }
    if (value.page !== undefined && surface.origin) {
      const clients = await services.listClients({ unlinkedOnly: Boolean(value.unlinked) });
      await surface.update(surface.origin, clientListView(clients, { page: value.page, unlinkedOnly: Boolean(value.unlinked) }));
      await surface.ephemeral(noticeView(`${updated.name}: ${note}`, 'success'));
      return;
    }
    await show(surface, clientCardView(updated, note));
  }

  async function runAction(actor: Actor, action: ChatAction, surface: ChatSurface): Promise<void> {
    switch (action.id as ActionId) {
      case 'report.open':
        return;
      case 'clients.page': {
        const value = parseJson<PageValue>(action.value);
        const clients = await services.listClients({ unlinkedOnly: Boolean(value?.unlinked) });
        await show(surface, clientListView(clients, { page: Number(value?.page) || 1, unlinkedOnly: Boolean(value?.unlinked) }));
        return;
      }
      case 'client.fix': {
        const found = await valueWithClient<FixValue>(action.value, surface);
        if (!found) return;
        const { value, client } = found;
        await openFix(actor, client, surface, { page: value.page, unlinked: value.unlinked, reportId: value.reportId });
        return;
      }
      case 'client.fix.submit':
        return submitFix(actor, action, surface);
      case 'client.history': {
        const client = await clientById(Number(action.value));
        if (client) await showHistory(client, surface);
        return;
      }
      case 'client.pick': {
        const found = await valueWithClient<PickValue>(action.value, surface);
        if (!found) return;
        return runForClient(actor, found.value.command, found.client, found.value.period, surface);
      }
      case 'report.generate': {
        const found = await valueWithClient<GenerateValue>(action.value, surface);
        if (!found) return;
        const { value, client } = found;
        return generate(actor, client, value.period, surface, surface.origin);
      }
      case 'report.send':
        return send(actor, action.value, surface);
      case 'report.test':
        return sendTest(actor, action.value, surface);
      case 'report.discard':
        return discard(actor, action.value, surface);
      case 'digest.approve':
      case 'digest.approveAll':
        if (deps.digest) return deps.digest.handleAction(actor, action, surface);
        await surface.ephemeral(errorView('The monthly digest is not available in this process.', `Send the report with ${typedCommand(surface.commandPrefix, 'send <client> <period>')}.`));
        return;
      default:
        logger.warn({ action: action.id }, 'unknown chat action');
        await surface.ephemeral(errorView('That button is from an older version of the bot.', 'Run the command again to get a fresh message.'));
    }
  }

  return {
    async handleCommand(actor, text, surface) {
      await safely(surface, 'command', async () => {
        const parsed = parseCommand(text);
        if (!parsed.ok) {
          await surface.ephemeral(mistakeView(surface.commandPrefix, parsed));
          return;
        }
        await runCommand(actor, parsed.command, surface);
      });
    },

    async handleAction(actor, action, surface) {
      const key = `action|${surface.origin?.id ?? ''}|${action.id}|${action.value}`;
      await safely(surface, `action ${action.id}`, () => once(key, () => runAction(actor, action, surface)));
    },

    validateForm(action): Record<string, string> | undefined {
      if (action.id !== 'client.fix.submit') return undefined;
      const choice = action.inputs?.contact ?? '';
      const email = action.inputs?.email?.trim() ?? '';
      const needsEmail = choice === 'email' || choice === 'add-email' || (!choice && email !== '');
      if (!choice && !email) return { contact: 'Choose who receives the report, or type an email address below.' };
      if (needsEmail && !EMAIL.test(email)) return { email: 'Enter an email address like jane@acme.com.' };
      return undefined;
    },
  };
}
