import type { ProgressUpdate } from '../../app/ports.js';
import type { ChatSurface, MessageRef } from '../surface.js';
import type { View } from '../views/view.js';
import type { ListenerContext } from './context.js';

export interface ProgressMessage {
  ref: MessageRef;
  /** Shows an update, at most one per phase every `progressIntervalMs`. */
  progress(update: ProgressUpdate, render: (update: ProgressUpdate) => View): void;
  /** Shows the result once every earlier update has landed. */
  finish(view: View): Promise<void>;
}

/** Posts (or takes over) a message for long work, updating it with progress and then the result. */
export async function progressMessage(ctx: ListenerContext, surface: ChatSurface, first: View, target?: MessageRef): Promise<ProgressMessage> {
  const ref = target && !target.ephemeral ? (await surface.update(target, first), target) : await surface.reply(first);
  let chain: Promise<void> = Promise.resolve();
  let lastAt = Number.NEGATIVE_INFINITY;
  let lastPhase: string | undefined;
  const push = (view: View, progress: boolean) => {
    chain = chain.then(() => surface.update(ref, view, { progress })).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'progress update failed');
    });
  };
  return {
    ref,
    progress(update, render) {
      const now = ctx.clock.now().getTime();
      if (update.phase === lastPhase && now - lastAt < ctx.progressIntervalMs) return;
      lastAt = now;
      lastPhase = update.phase;
      push(render(update), true);
    },
    async finish(view) {
      push(view, false);
      await chain;
    },
  };
}
