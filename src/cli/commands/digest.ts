import { digestAsText, digestViews } from '../../chat/views/digest.js';
import { SLACK_COMMAND_PREFIX } from '../../chat/slack/render.js';
import type { CommandContext } from '../context.js';
import { CommandFailed } from '../errors.js';

/** `integoreport digest [period] [--dry-run]`: drafts for every linked client, posted (or, dry, printed as Slack shows it). */
export async function digest(context: CommandContext, periodText: string | undefined, options: { dryRun?: boolean }): Promise<void> {
  const runtime = await context.runtime();
  const period = runtime.services.parsePeriod(periodText);
  const publisher = await runtime.digest();
  const onProgress = context.out.progress();
  if (options.dryRun) {
    const snapshot = await publisher.preview(context.actor, period, { onProgress });
    context.out.result({ digest: snapshot.digest, views: digestViews(snapshot, SLACK_COMMAND_PREFIX) }, () => digestAsText(snapshot, SLACK_COMMAND_PREFIX));
    return;
  }
  const result = await publisher.run(context.actor, period, { onProgress });
  context.out.result(result, () => [
    `Digest ${result.digestId}: ${result.ready} drafts ready of ${result.rows} clients (mirror refresh: ${result.sync?.calls ?? 0} calls).`,
    ...(result.posted.length === 0 && result.failed.length === 0 ? ['Posted nowhere: set DIGEST_CHANNEL (and SLACK_BOT_TOKEN), add the app to a Teams channel, or in sandbox mode open the playground (npm start) once, or type "digest" in chat.'] : []),
    ...result.posted.map((post) => `Posted to ${post.platform} ${post.target}: ${post.messages} new messages.`),
  ]);
  if (result.failed.length > 0) {
    throw new CommandFailed(result.failed.map((post) => `Not posted to ${post.platform} ${post.target}: ${post.reason}`).join(' '), 'digest-not-posted');
  }
}
