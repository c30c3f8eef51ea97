import { createRequire } from 'node:module';
import pLimit from 'p-limit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Logger } from '../logger.js';

/** What goes around every page: the brand and the report on top, a contact line and page numbers below. */
export interface PdfPageFrame {
  paper: 'a4' | 'letter';
  brandName: string;
  /** `#rrggbb`, for the brand name in the header. */
  brandColor: string;
  /** e.g. "Acme Corporation · October 2026". */
  title: string;
  /** The brand's footer line or website, when it has one. */
  footer: string | null;
}

export interface PdfPrinter {
  /** Why no PDF can be made in this process (no Chromium, or it would not start); undefined while it can. */
  unavailable(): string | undefined;
  /** The page printed to PDF; throws PdfUnavailableError when there is no Chromium. */
  print(html: string, frame: PdfPageFrame): Promise<Buffer>;
  /** A PNG of an SVG image, `height` pixels high; undefined when there is no Chromium. */
  rasterize(svg: Buffer, height: number): Promise<Buffer | undefined>;
  /** Starts the browser and opens a page for the next print now, without waiting: a print certain to come then finds them ready. */
  warmUp(): void;
  close(): Promise<void>;
}

export class PdfUnavailableError extends Error {
  override name = 'PdfUnavailableError';
}

/** Chromium runs without its sandbox (containers rarely allow it) and never phones home. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-component-update', '--disable-sync'];
const PRINT_TIMEOUT_MS = 60_000;
/** Pages printed at once: each is a renderer process, and the machine has other work. */
const CONCURRENT_PAGES = 2;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Chromium's header and footer templates: plain HTML with inline styles; page numbers go in the classed spans. */
export function frameTemplates(frame: PdfPageFrame): { headerTemplate: string; footerTemplate: string } {
  const row = (left: string, right: string) =>
    `<div style="font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; font-size: 8px; color: #6b7280; width: 100%; margin: 0 12mm; display: flex; justify-content: space-between; gap: 12px;">${left}${right}</div>`;
  const color = /^#[0-9a-f]{6}$/i.test(frame.brandColor) ? frame.brandColor : '#111827';
  return {
    headerTemplate: row(`<span style="font-weight: 600; color: ${color};">${escapeHtml(frame.brandName)}</span>`, `<span>${escapeHtml(frame.title)}</span>`),
    footerTemplate: row(`<span>${escapeHtml(frame.footer ?? '')}</span>`, '<span style="white-space: nowrap;">Page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'),
  };
}

/**
 * playwright-core, loaded on the first launch (most commands never print) or beforehand by a printing thread.
 * Through `require`: imported as an ES module, Node would first scan its large CommonJS bundle for export
 * names, about a fifth of a second.
 */
export function loadPlaywright(): typeof import('playwright-core') {
  return createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
}

/**
 * Prints reports to PDF with the system's Chromium through playwright-core. One browser is started on first
 * use and kept for later reports; every page is offline (any request leaving it is refused). Without an
 * executable, or when it cannot start, `unavailable()` says why and the caller goes on without a PDF.
 */
export function createPdfPrinter(options: {
  chromium: { path: string } | { problem: string };
  logger: Pick<Logger, 'warn'>;
  /** After each print, open the page for the next one (a long-running process that prints on request). */
  keepPageReady?: boolean;
}): PdfPrinter {
  const { logger } = options;
  let problem = 'problem' in options.chromium ? options.chromium.problem : undefined;
  let browser: Promise<Browser> | undefined;
  const limit = pLimit(CONCURRENT_PAGES);

  function launch(): Promise<Browser> {
    if (problem) return Promise.reject(new PdfUnavailableError(problem));
    if (!browser) {
      const executablePath = (options.chromium as { path: string }).path;
      browser = Promise.resolve().then(() => loadPlaywright().chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 })).then(
        (started) => {
          started.on('disconnected', () => {
            browser = undefined;
            ready = undefined;
          });
          return started;
        },
        (error: unknown) => {
          problem = `Chromium at ${executablePath} did not start (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`;
          logger.warn({ err: error }, `No PDF reports: ${problem}`);
          throw new PdfUnavailableError(problem);
        },
      );
    }
    return browser;
  }

  interface OpenPage {
    context: BrowserContext;
    page: Page;
  }

  /** A page of its own context: offline, no scripts. */
  async function openPage(): Promise<OpenPage> {
    const context = await (await launch()).newContext({ javaScriptEnabled: false });
    try {
      await context.route(/^(?!data:|about:)/, (route) => route.abort());
      const page = await context.newPage();
      page.setDefaultTimeout(PRINT_TIMEOUT_MS);
      return { context, page };
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  let ready: Promise<OpenPage> | undefined;
  function prepareNext(): void {
    const opening = openPage();
    ready = opening;
    opening.catch(() => {
      if (ready === opening) ready = undefined;
    });
  }

  /** Runs `work` on a fresh page (the one made ready beforehand, if any) and closes its context afterwards without waiting. */
  async function withPage<T>(work: (page: Page) => Promise<T>): Promise<T> {
    const taken = ready;
    ready = undefined;
    const { context, page } = (await taken?.catch(() => undefined)) ?? (await openPage());
    try {
      return await work(page);
    } finally {
      context.close().catch(() => undefined);
      if (options.keepPageReady && !ready && !problem) prepareNext();
    }
  }

  return {
    unavailable: () => problem,
    warmUp() {
      if (!problem && !ready) prepareNext();
    },
    print(html, frame) {
      return limit(() =>
        withPage(async (page) => {
          await page.setContent(html, { waitUntil: 'load' });
          return page.pdf({
            format: frame.paper === 'letter' ? 'Letter' : 'A4',
            printBackground: true,
            displayHeaderFooter: true,
            ...frameTemplates(frame),
            margin: { top: '16mm', bottom: '16mm', left: '0', right: '0' },
          });
        }),
      );
    },
    async rasterize(svg, height) {
      if (problem) return undefined;
      try {
        return await limit(() =>
          withPage(async (page) => {
            await page.setContent(`<body style="margin:0;background:transparent"><img id="logo" style="display:block;height:${Math.round(height)}px;width:auto" src="data:image/svg+xml;base64,${svg.toString('base64')}"></body>`, { waitUntil: 'load' });
            return page.locator('#logo').screenshot({ omitBackground: true, type: 'png' });
          }),
        );
      } catch (error) {
        logger.warn({ err: error }, 'Could not turn the SVG logo into a PNG');
        return undefined;
      }
    },
    async close() {
      const running = browser;
      browser = undefined;
      ready = undefined;
      if (running) await (await running.catch(() => undefined))?.close();
    },
  };
}
