/** Buttons and forms, by the verb they carry (see ActionId for each value's format). */
import type { Actor } from '../../app/ports.js';
import type { ChatAction, ChatSurface } from '../surface.js';
import { errorView } from '../views/builders.js';
import { typedCommand, type ActionId, type FixValue, type GenerateValue, type PickValue } from '../views/view.js';
import { clientById, valueWithClient, type ListenerContext } from './context.js';
import { openFix, showClientPage, showHistory, submitFix } from './clients.js';
import { runForClient } from './commands.js';
import { discard, generate, resend, send, sendTest } from './reports.js';

export async function runAction(ctx: ListenerContext, actor: Actor, action: ChatAction, surface: ChatSurface): Promise<void> {
  switch (action.id as ActionId) {
    case 'report.open':
      return;
    case 'clients.page':
      return showClientPage(ctx, action.value, surface);
    case 'client.fix': {
      const found = await valueWithClient<FixValue>(ctx, action.value, surface);
      if (!found) return;
      const { value, client } = found;
      await openFix(ctx, actor, client, surface, { page: value.page, unlinked: value.unlinked, reportId: value.reportId, typed: value.typed });
      return;
    }
    case 'client.fix.submit':
    case 'client.fix.confirm':
      return submitFix(ctx, actor, action, surface);
    case 'client.history': {
      const client = await clientById(ctx, Number(action.value));
      if (client) await showHistory(ctx, client, surface);
      return;
    }
    case 'client.pick': {
      const found = await valueWithClient<PickValue>(ctx, action.value, surface);
      if (!found) return;
      return runForClient(ctx, actor, found.value.command, found.client, found.value.period, surface, found.value.hours, found.value.mapTo);
    }
    case 'report.generate': {
      const found = await valueWithClient<GenerateValue>(ctx, action.value, surface);
      if (!found) return;
      const { value, client } = found;
      return generate(ctx, actor, client, value.period, surface, surface.origin);
    }
    case 'report.send':
      return send(ctx, actor, action.value, surface);
    case 'report.resend':
      return resend(ctx, actor, action.value, surface);
    case 'report.test':
      return sendTest(ctx, actor, action.value, surface);
    case 'report.discard':
      return discard(ctx, actor, action.value, surface);
    case 'digest.approve':
    case 'digest.approveAll':
    case 'digest.regenerate':
      if (ctx.digest) return ctx.digest.handleAction(actor, action, surface);
      await surface.ephemeral(errorView('The monthly digest is not available in this process.', `Send the report with ${typedCommand(surface.commandPrefix, 'send <client> <period>')}.`));
      return;
    default:
      ctx.logger.warn({ action: action.id }, 'unknown chat action');
      await surface.ephemeral(errorView('That button is from an older version of the bot.', 'Run the command again to get a fresh message.'));
  }
}
