import type { Config } from '../../config.js';
import { readSandboxOutbox, resetSandbox, sandboxFiles } from '../../sandbox/index.js';
import { UsageError } from '../errors.js';
import type { Output } from '../output.js';

function requireSandbox(config: Config): void {
  if (!config.sandbox) throw new UsageError('The sandbox commands only work in sandbox mode (no Freshservice or Mailchimp credentials set).');
}

/** `integoreport sandbox reset`: the seeded world and an empty outbox again. */
export async function reset(out: Output, config: Config): Promise<void> {
  requireSandbox(config);
  await resetSandbox(config.dataDir);
  out.result({ reset: true }, () => `The sandbox under ${config.dataDir} will be seeded afresh on the next start.`);
}

/** `integoreport sandbox outbox`: every email the sandbox "delivered". */
export async function outbox(out: Output, config: Config): Promise<void> {
  requireSandbox(config);
  const emails = await readSandboxOutbox(sandboxFiles(config.dataDir).mailchimp);
  out.result(emails, () =>
    emails.length === 0 ? 'The sandbox outbox is empty.' : emails.map((email) => `${email.sentAt}  ${email.kind.padEnd(13)} ${email.to.join(', ')}  "${email.subject}"`),
  );
}
