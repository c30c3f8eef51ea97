import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from './support/bot-process.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The project installed under a dot-folder (`~/.local/share/integoreport`): a copy of what `npm ci` leaves
 * (the build, the page, templates, cards, icons), with its packages linked in, started as `npm start` does.
 */
describe('installed under a folder whose name starts with a dot', () => {
  let home: string;
  let install: string;
  let bot: ChildProcess | undefined;
  let url: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    home = await makeTempDir('ir-dot-');
    install = path.join(home, '.local', 'share', 'integoreport');
    for (const part of ['package.json', 'dist', 'src/server/playground/page', 'templates', 'cards', 'manifest/teams']) {
      await fs.cp(path.join(ROOT, part), path.join(install, part), { recursive: true });
    }
    await fs.symlink(path.join(ROOT, 'node_modules'), path.join(install, 'node_modules'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    bot = spawn(process.execPath, ['dist/compose/main.js'], {
      cwd: install,
      env: { PATH: process.env.PATH, PORT: String(port), DATA_DIR: path.join(home, 'data'), LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 300; attempt += 1) {
      if (await fetch(`${url}/healthz`).then((response) => response.ok, () => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the installed bot did not start');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    bot?.kill('SIGTERM');
    if (bot && bot.exitCode === null) await new Promise((resolve) => bot!.once('exit', resolve));
    await removeTempDir(home);
  });

  it("serves the playground's script, style, card renderer and icon", async () => {
    for (const asset of ['/playground/assets/playground.js', '/playground/assets/playground.css', '/playground/assets/adaptivecards.min.js', '/favicon.ico']) {
      expect((await fetch(`${url}${asset}`)).status, asset).toBe(200);
    }
  });

  it.skipIf(!existsSync(CHROMIUM))('draws the bot\'s cards in a browser', async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${url}/`);
    await page.locator('.message.bot .card').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.message.bot .card').first().innerText()).toContain('generate <client> [period]');
    expect(problems).toEqual([]);
  }, 60_000);
});
