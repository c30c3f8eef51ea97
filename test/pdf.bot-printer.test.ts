import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { createBotPrinter } from '../src/pdf/bot-printer.js';
import type { PdfPrinter } from '../src/pdf/printer.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const FRAME = { paper: 'a4', brandName: 'MSP', brandColor: '#111827', title: 'Acme Corporation · October 2026', footer: null } as const;

/** A bot's print endpoint that answers every request with `status` and `body`, keeping what it was asked. */
async function fakeBot(status: number, body: string) {
  const requests: Array<{ authorization?: string; request: { file: string }; page: string }> = [];
  let dataDir = '';
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += String(chunk)));
    request.on('end', async () => {
      const parsed = JSON.parse(text) as { file: string };
      requests.push({ authorization: request.headers.authorization, request: parsed, page: await fs.readFile(path.join(dataDir, 'printing', parsed.file), 'utf8') });
      response.writeHead(status, { 'content-type': status === 200 ? 'application/pdf' : 'text/plain' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    useDataDir: (dir: string) => (dataDir = dir),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function localPrinter(printed: string[]): PdfPrinter {
  return {
    unavailable: () => undefined,
    print: async (html) => {
      printed.push(html);
      return Buffer.from('%PDF-local');
    },
    rasterize: async () => undefined,
    warmUp: () => undefined,
    close: async () => undefined,
  };
}

describe('printing through the running bot', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await makeTempDir('ir-bot-printer-');
  });
  afterEach(async () => {
    await removeTempDir(dataDir);
  });

  it('hands the bot the page as a file named in the request, with its token, and removes the file afterwards', async () => {
    const bot = await fakeBot(200, '%PDF-bot');
    bot.useDataDir(dataDir);
    const printedHere: string[] = [];
    try {
      const printer = createBotPrinter({ botUrl: bot.url, token: 'secret-token', dataDir, local: () => localPrinter(printedHere), logger: silentLogger });
      expect((await printer.print('<p>report</p>', FRAME)).toString()).toBe('%PDF-bot');
      expect(bot.requests).toEqual([{ authorization: 'Bearer secret-token', request: { file: expect.stringMatching(/^[0-9a-f]{32}\.html$/), frame: FRAME }, page: '<p>report</p>' }]);
      expect(printedHere).toEqual([]);
      expect(await fs.readdir(path.join(dataDir, 'printing'))).toEqual([]);
    } finally {
      await bot.close();
    }
  });

  it('removes the pages an hour old that a command line stopped mid-print left, and no other', async () => {
    const bot = await fakeBot(200, '%PDF-bot');
    bot.useDataDir(dataDir);
    const printing = path.join(dataDir, 'printing');
    await fs.mkdir(printing, { recursive: true });
    await fs.writeFile(path.join(printing, 'left.html'), '<p>left</p>');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await fs.utimes(path.join(printing, 'left.html'), twoHoursAgo, twoHoursAgo);
    await fs.writeFile(path.join(printing, 'printing-now.html'), '<p>another command line\'s page</p>');
    try {
      const printer = createBotPrinter({ botUrl: bot.url, token: 'secret-token', dataDir, local: () => localPrinter([]), logger: silentLogger });
      expect((await printer.print('<p>report</p>', FRAME)).toString()).toBe('%PDF-bot');
      expect(await fs.readdir(printing)).toEqual(['printing-now.html']);
    } finally {
      await bot.close();
    }
  });

  it('prints here when the bot answers without a PDF, or does not answer at all', async () => {
    const refusing = await fakeBot(401, 'unauthorised');
    refusing.useDataDir(dataDir);
    const printedHere: string[] = [];
    try {
      const printer = createBotPrinter({ botUrl: refusing.url, token: 'stale-token', dataDir, local: () => localPrinter(printedHere), logger: silentLogger });
      expect((await printer.print('<p>one</p>', FRAME)).toString()).toBe('%PDF-local');
    } finally {
      await refusing.close();
    }
    const gone = createBotPrinter({ botUrl: refusing.url, token: 'stale-token', dataDir, local: () => localPrinter(printedHere), logger: silentLogger });
    expect((await gone.print('<p>two</p>', FRAME)).toString()).toBe('%PDF-local');
    expect(printedHere).toEqual(['<p>one</p>', '<p>two</p>']);
    expect(await fs.readdir(path.join(dataDir, 'printing'))).toEqual([]);
  });
});
