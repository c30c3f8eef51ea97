/** A send the bot was stopped in the middle of: start-up finishes it and the Slack card it was pressed on shows "Sent". */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { startBot, type BotProcess } from '../src/compose/bot-process.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { reportSubject, sendKey } from '../src/app/delivery/keys.js';
import { SendLedger } from '../src/store/sends.js';
import { startSlackMock, type SlackMock } from './support/slack-mock.js';
import { sandboxRuntime } from './support/sandbox-runtime.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

describe('a send interrupted by a stop', () => {
  let dataDir: string;
  let mock: SlackMock;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-resumed-');
    mock = await startSlackMock([{ id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' }]);
  });
  afterAll(async () => {
    await bot?.close();
    await mock?.close();
    await removeTempDir(dataDir);
  });

  it('is finished at start-up, and the card it was pressed on is updated to "Sent"', async () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: 'xoxb-resumed',
      SLACK_SIGNING_SECRET: 'resumed-signing-secret',
      SLACK_API_URL: mock.apiUrl,
      APPROVERS: 'alice@msp.example',
      REPORT_LINK_SECRET: 'resumed-report-link-secret-0123456789',
      LOG_LEVEL: 'silent',
    });
    // The first process made the report and claimed its send from a card, then stopped before Mailchimp.
    const first = await sandboxRuntime(config);
    const lookup = await first.services.findClient('Acme Corporation');
    if (lookup.kind !== 'found') throw new Error('Acme Corporation is not in the sandbox');
    const actor = { platform: 'slack' as const, id: 'U_APPROVER', name: 'Alice Approver' };
    const report = await first.services.generateReport(actor, { clientId: lookup.client.id, period: first.services.parsePeriod('last-month') });
    await first.close();
    const deadOwner = `${os.hostname()}/${spawnSync(process.execPath, ['-e', '0']).pid}/stopped`;
    const now = new Date();
    const deliverable = { clientId: report.client.id, clientName: report.client.name, periodKey: report.period.key, periodLabel: report.period.label, version: report.version };
    const card = { platform: 'slack' as const, target: 'C1', id: 'C1|1699999999.000100' };
    await new SendLedger(dataDir, 600_000).claim(sendKey(deliverable), deadOwner, now, () => ({
      id: 'snd_interrupted', key: sendKey(deliverable), reportId: report.id, ...deliverable, channel: 'campaign', status: 'requested',
      to: [report.recipient!, report.copyTo!], subject: reportSubject(deliverable), requestedBy: actor, requestedAt: now.toISOString(),
      searchSince: new Date(now.getTime() - 86_400_000).toISOString(), updatedAt: now.toISOString(), attempts: 1, card,
    }));

    bot = await startBot({ config, logger: silentLogger, port: 0, host: '127.0.0.1', jobs: false, sandbox: await startEmbeddedSandbox(config, systemClock) });

    const update = await vi.waitFor(() => {
      const call = mock.callsTo('chat.update').find((candidate) => candidate.args.channel === 'C1' && candidate.args.ts === '1699999999.000100');
      expect(call).toBeDefined();
      return call!;
    }, { timeout: 20_000 });
    expect(update.args.text).toContain(`Sent to ${report.recipient}, ${report.copyTo} by Alice Approver`);
    expect(JSON.stringify(update.args.blocks)).not.toContain('report.send');
    const emails = bot.runtime.sandbox!.mailchimp.outbox().filter((email) => email.kind === 'campaign');
    expect(emails.map((email) => email.subject)).toEqual([reportSubject(deliverable)]);
  }, 90_000);
});
