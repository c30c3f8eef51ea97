import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runMain, waitForHealth } from './support/bot-process.js';
import { cliProcess } from './support/cli.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/** `npm start` and `npx integoreport` on one data folder, as an operator runs them side by side. */
describe('one simulated world for the bot and the command line', () => {
  let dataDir: string;
  let port: number;
  let bot: ReturnType<typeof runMain>;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await makeTempDir('ir-shared-sandbox-');
    port = await freePort();
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    bot = runMain({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' });
    expect((await waitForHealth(port))?.ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    bot.child.kill('SIGTERM');
    await bot.exited;
    await removeTempDir(dataDir);
  });

  const outboxPage = async () => (await fetch(`http://127.0.0.1:${port}/playground/outbox`)).text();

  it("shows a send from the command line on the running bot's outbox, links to the running bot, and resets both at once", async () => {
    const generated = await cliProcess({ args: ['generate', 'Acme', '--json'] }, env);
    expect(generated, generated.stderr).toMatchObject({ code: 0 });
    const { viewUrl } = JSON.parse(generated.stdout) as { viewUrl: string };
    expect(viewUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/reports/`));
    expect((await fetch(viewUrl)).status).toBe(200);

    expect((await cliProcess({ args: ['send', 'Acme', '--test-to', 'ops@msp.example'] }, env)).code).toBe(0);

    expect(await outboxPage()).toContain('ops@msp.example');
    const listed = JSON.parse((await cliProcess({ args: ['sandbox', 'outbox', '--json'] }, env)).stdout) as Array<{ to: string[] }>;
    expect(listed.map((email) => email.to)).toEqual([['ops@msp.example']]);

    const reset = await cliProcess({ args: ['sandbox', 'reset'] }, env);
    expect(reset).toMatchObject({ code: 0, stderr: '' });
    expect(await outboxPage()).not.toContain('ops@msp.example');
    expect(JSON.parse((await cliProcess({ args: ['sandbox', 'outbox', '--json'] }, env)).stdout)).toEqual([]);

    const published = await cliProcess({ args: ['generate', 'Acme', '--json'] }, { ...env, PUBLIC_BASE_URL: 'https://reports.msp.example' });
    expect((JSON.parse(published.stdout) as { viewUrl: string }).viewUrl).toMatch(/^https:\/\/reports\.msp\.example\/reports\//);
  }, 120_000);

  it("prints the command line's reports with the running bot's Chromium, which answers only the token it announced", async () => {
    const announcement = path.join(dataDir, 'bot.json');
    expect((await stat(announcement)).mode & 0o777).toBe(0o600);
    const { printToken } = JSON.parse(await readFile(announcement, 'utf8')) as { printToken: string };
    const print = (authorization: string | undefined, file: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}/internal/print`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...headers },
        body: JSON.stringify({ file, frame: { paper: 'a4', brandName: 'MSP', brandColor: '#111827', title: 'Acme', footer: null } }),
      });
    const somePage = `${'0'.repeat(32)}.html`;
    expect((await print(undefined, somePage)).status).toBe(401);
    expect((await print(`Bearer ${printToken.slice(0, -1)}x`, somePage)).status).toBe(401);
    expect((await print(`Basic ${printToken}`, somePage)).status).toBe(401);
    expect((await print(`Bearer ${printToken}`, '../clients.json')).status).toBe(400);
    expect((await print(`Bearer ${printToken}`, somePage)).status).toBe(404);
    expect((await print(`Bearer ${printToken}`, somePage, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);

    // This command line has no Chromium of its own: the report's PDF can only be the bot's.
    const generated = await cliProcess({ args: ['generate', 'Acme', '--json'] }, { ...env, CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(generated, generated.stderr).toMatchObject({ code: 0, stderr: '' });
    const { files } = JSON.parse(generated.stdout) as { files: { pdf?: string } };
    expect((await readFile(files.pdf!)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await readdir(path.join(dataDir, 'printing'))).toEqual([]);
  }, 120_000);
});
