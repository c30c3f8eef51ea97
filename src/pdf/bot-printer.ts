import { randomBytes } from 'node:crypto';
import { mkdirSync, promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import type { Logger } from '../logger.js';
import { entriesOlderThan } from '../store/files.js';
import { PRINT_PATH, printingDir, type PrintRequest } from './print-handoff.js';
import type { PdfPrinter } from './printer.js';

/** As long as a print may take in the bot (a thousand-ticket report prints in about 2 s on two cores). */
const PRINT_TIMEOUT_MS = 60_000;
/** A page this old was left by a command line stopped mid-print (a print never takes more than a minute). */
const LEFT_PAGE_MS = 60 * 60 * 1000;

async function removeLeftPages(dir: string): Promise<void> {
  for (const page of await entriesOlderThan(dir, LEFT_PAGE_MS, (name) => name.endsWith('.html'))) await fs.rm(page, { force: true });
}

export interface BotPrinterOptions {
  /** The running bot's address and print token, from DATA_DIR/bot.json. */
  botUrl: string;
  token: string;
  dataDir: string;
  /** This process's own printer, started only if the bot does not print. */
  local(): PdfPrinter;
  logger: Logger;
}

/**
 * Prints through the bot running on the same data folder, whose Chromium is already started: the page is
 * written under DATA_DIR/printing and the bot is asked to print that file. When the bot does not answer
 * with a PDF, the page is printed here instead. Pages an hour old, left by a command line stopped mid-print,
 * are removed meanwhile.
 */
export function createBotPrinter(options: BotPrinterOptions): PdfPrinter {
  const { logger } = options;
  let local: PdfPrinter | undefined;
  const localPrinter = () => (local ??= options.local());

  async function printByBot(html: string, frame: PrintRequest['frame']): Promise<Buffer> {
    const file = `${randomBytes(16).toString('hex')}.html`;
    const page = path.join(printingDir(options.dataDir), file);
    // Written at once, without yielding: the request then leaves before the caller's next stretch of work. The
    // bot reads the file only once asked to, so it never sees it half-written.
    mkdirSync(path.dirname(page), { recursive: true, mode: 0o700 });
    writeFileSync(page, html, { flag: 'wx', mode: 0o600 });
    const leftPagesRemoved = removeLeftPages(path.dirname(page)).catch(() => undefined);
    try {
      const request: PrintRequest = { file, frame };
      const answer = await axios.post<ArrayBuffer>(new URL(PRINT_PATH, options.botUrl).toString(), request, {
        headers: { authorization: `Bearer ${options.token}` },
        responseType: 'arraybuffer',
        timeout: PRINT_TIMEOUT_MS,
        proxy: false,
      });
      return Buffer.from(answer.data);
    } finally {
      await Promise.all([fs.rm(page, { force: true }), leftPagesRemoved]);
    }
  }

  return {
    unavailable: () => local?.unavailable(),
    async print(html, frame) {
      try {
        return await printByBot(html, frame);
      } catch (error) {
        logger.warn({ err: error }, 'The running bot did not print the report; printing it here');
        return localPrinter().print(html, frame);
      }
    },
    rasterize: (svg, height) => localPrinter().rasterize(svg, height),
    warmUp: () => undefined,
    async close() {
      await local?.close();
    },
  };
}
