import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runMain, waitForHealth } from './support/bot-process.js';
import { externalIPv4 } from './support/network.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

describe('npm start (the bot process, as built by npm ci)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await makeTempDir('ir-main-');
  });
  afterAll(async () => {
    await removeTempDir(dataDir);
  });

  it('announces sandbox mode first, serves /healthz and the playground on 127.0.0.1 only, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const bot = runMain({ DATA_DIR: dataDir, PORT: String(port) });
    expect((await waitForHealth(port))?.ok).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('IntegoReport playground');
    const external = externalIPv4();
    if (external) await expect(fetch(`http://${external}:${port}/healthz`), 'sandbox mode listens on 127.0.0.1 only').rejects.toThrow();
    const firstLine = JSON.parse(bot.output().stdout.split('\n')[0]!) as { msg: string };
    expect(firstLine.msg).toMatch(/^IntegoReport starting in sandbox mode/);

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output().stdout).toContain('SIGTERM received; stopping');
  }, 60_000);

  it('refuses a malformed setting with one line naming it, before starting anything', async () => {
    const bot = runMain({ DATA_DIR: dataDir, PORT: 'eighty' });
    expect(await bot.exited).toBe(1);
    expect(bot.output().stderr).toBe('IntegoReport cannot start: PORT is not valid: expected a TCP port number from 1 to 65535\n');
    expect(bot.output().stdout).toBe('');
  }, 30_000);

  it('lists every bad or missing setting at once, each on its own line, then exits', async () => {
    const bot = runMain({ DATA_DIR: dataDir, FRESHSERVICE_DOMAIN: 'not a domain', PORT: 'eighty', TIMEZONE: 'Mars/Olympus' });
    expect(await bot.exited).toBe(1);
    const lines = bot.output().stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('IntegoReport cannot start: 8 settings need fixing:');
    expect(lines.slice(1).map((line) => /^  ([A-Z_]+) /.exec(line)?.[1]).sort()).toEqual(
      ['FRESHSERVICE_API_KEY', 'FRESHSERVICE_DOMAIN', 'MAILCHIMP_API_KEY', 'MAILCHIMP_AUDIENCE_ID', 'PORT', 'REPORT_LINK_SECRET', 'REPORT_REPLY_TO', 'TIMEZONE'],
    );
    expect(bot.output().stdout).toBe('');
  }, 30_000);
});
