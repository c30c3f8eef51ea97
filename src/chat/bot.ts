/**
 * The chat core shared by Slack and Teams: commands and button/form actions in, Views out through
 * a small ChatSurface the platform provides. Knows nothing about Block Kit or Adaptive Cards. The
 * listeners for each command and button live in `listeners/`.
 */
import type { Actor, BotServices } from '../app/ports.js';
import { parseCommand } from '../app/commands.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ChatAction, ChatSurface } from './surface.js';
import { mistakeView } from './views/builders.js';
import { failureView, type ListenerContext } from './listeners/context.js';
import { runAction } from './listeners/actions.js';
import { fixFormErrors } from './listeners/clients.js';
import { runCommand } from './listeners/commands.js';

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
  /** How long a Send press waits for another press's send of the same report to end (default a minute). */
  settleWaitMs?: number;
  /** The monthly digest, typed (`digest`) and its buttons (`digest.*`); absent where no digest runs. */
  digest?: ListenerContext['digest'];
}

/** Actions every press of which is answered, even while an identical one runs: sends, which the ledger makes exactly-once. */
const ANSWERED_PER_PRESS = new Set<string>(['report.send', 'report.resend']);

export function createChatBot(deps: ChatBotDeps): ChatBot {
  const { logger } = deps;
  /** Work in flight, keyed by what it does; a second identical request while it runs is ignored. */
  const inFlight = new Set<string>();

  const ctx: ListenerContext = {
    services: deps.services,
    logger,
    clock: deps.clock,
    progressIntervalMs: deps.progressIntervalMs ?? 1000,
    settleWaitMs: deps.settleWaitMs ?? 60_000,
    digest: deps.digest,
    async once(key, work, onDuplicate) {
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
    },
  };

  /** Runs a listener; whatever it throws is shown as one sentence (or a generic one, logged). */
  async function safely(surface: ChatSurface, context: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      await surface.ephemeral(failureView(ctx, error, context, surface.commandPrefix)).catch((deliveryError: unknown) => {
        logger.error({ err: deliveryError, context }, 'could not show an error to the user');
      });
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
        await runCommand(ctx, actor, parsed.command, surface);
      });
    },

    async handleAction(actor, action, surface) {
      // A send's second press must get its own answer (how the send ended); the ledger keeps it to one email.
      if (ANSWERED_PER_PRESS.has(action.id)) return safely(surface, `action ${action.id}`, () => runAction(ctx, actor, action, surface));
      const key = `action|${surface.origin?.id ?? ''}|${action.id}|${action.value}`;
      await safely(surface, `action ${action.id}`, () => ctx.once(key, () => runAction(ctx, actor, action, surface)));
    },

    validateForm(action) {
      return action.id === 'client.fix.submit' ? fixFormErrors(action.inputs) : undefined;
    },
  };
}
