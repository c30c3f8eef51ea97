import type { Config } from '../../config.js';
import { readSandboxOutbox, sandboxFiles } from '../../sandbox/index.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../context.js';
import type { Output } from '../output.js';

function requireSandbox(config: Config): void {
  if (!config.sandbox) throw new UsageError('The sandbox commands only work in sandbox mode (no Freshservice or Mailchimp credentials set).');
}

/** `integoreport sandbox reset`: an empty outbox and the seeded audience again, for the running bot too. */
export async function reset(out: Output, config: Config, resetSandbox: CommandContext['resetSandbox']): Promise<void> {
  requireSandbox(config);
  const { runningBot } = await resetSandbox(config);
  out.result({ reset: true, runningBot }, () =>
    runningBot
      ? "The running bot's sandbox was reset: the outbox is empty and the audience is as seeded."
      : `The sandbox under ${config.dataDir} will be seeded afresh on the next start.`,
  );
}

/** `integoreport sandbox outbox`: every email the sandbox "delivered" (the running bot's too: it saves each one at once). */
export async function outbox(out: Output, config: Config): Promise<void> {
  requireSandbox(config);
  const emails = await readSandboxOutbox(sandboxFiles(config.dataDir).mailchimp);
  out.result(emails, () =>
    emails.length === 0 ? 'The sandbox outbox is empty.' : emails.map((email) => `${email.sentAt}  ${email.kind.padEnd(13)} ${email.to.join(', ')}  "${email.subject}"`),
  );
}
