/** `digest [period] [preview]`: an approver posts the monthly digest into this conversation now, or sees it privately. */
import type { Actor } from '../../app/ports.js';
import type { Command } from '../../app/commands.js';
import type { ChatSurface } from '../surface.js';
import { errorView, noticeView } from '../views/builders.js';
import { digestPreviewView } from '../views/digest.js';
import { typedCommand } from '../views/view.js';
import { periodOrExplain, refused, type ListenerContext } from './context.js';

export async function digestCommand(ctx: ListenerContext, actor: Actor, command: Extract<Command, { name: 'digest' }>, surface: ChatSurface): Promise<void> {
  if (await refused(ctx, actor, 'digest', surface)) return;
  const period = await periodOrExplain(ctx, command.period, surface);
  if (!period) return;
  const digest = ctx.digest;
  if (!digest) {
    await surface.ephemeral(errorView('The monthly digest is not available in this process.', `Generate reports one by one with ${typedCommand(surface.commandPrefix, 'generate <client> [period]')}.`));
    return;
  }
  const where = surface.conversation;
  if (!command.preview && !where) {
    await surface.ephemeral(errorView('I can\'t tell which conversation this is, so I can\'t post the digest here.', `See it privately with ${typedCommand(surface.commandPrefix, `digest ${period.key} preview`)}.`));
    return;
  }
  await ctx.once(
    `digest|${period.key}`,
    async () => {
      if (command.preview) {
        await surface.ephemeral(noticeView(`Preparing the ${period.label} digest preview: a draft for every linked client…`));
        await surface.ephemeral(digestPreviewView(await digest.preview(actor, period), surface.commandPrefix));
        return;
      }
      await surface.ephemeral(noticeView(`Preparing the ${period.label} digest: a draft for every linked client. It will appear in this conversation.`));
      const posted = await digest.postHere(actor, period, where!);
      if (posted.messages === 0) {
        await surface.ephemeral(noticeView(`The ${period.label} digest is already in this conversation; its summary above is now up to date.`));
      }
    },
    () => surface.ephemeral(noticeView(`I'm already preparing the ${period.label} digest; it will appear shortly.`)),
  );
}
