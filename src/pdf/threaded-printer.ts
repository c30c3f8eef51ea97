import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { PdfUnavailableError, createPdfPrinter, type PdfPageFrame, type PdfPrinter } from './printer.js';

type PrinterCall = { kind: 'print'; html: string; frame: PdfPageFrame } | { kind: 'rasterize'; svg: Uint8Array; height: number };

/** The thread's first message: the Chromium it prints with, and whether its browser closes as soon as a print is done (a process that prints once; a later print starts it again). */
export interface PrinterThreadOpening {
  kind: 'open';
  chromium: { path: string };
  closeAfterPrint: boolean;
}

export type PrinterRequest = PrinterThreadOpening | (PrinterCall & { id: number }) | { kind: 'warm-up' } | { kind: 'close' };

export type PrinterAnswer =
  | { kind: 'answer'; id: number; bytes?: Uint8Array; error?: { name: string; message: string }; problem?: string }
  | { kind: 'warning'; message: string; error?: { name: string; message: string } };

/** How long closing may take before the thread is stopped. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The thread's entry, the compiled module beside this one. */
const THREAD_ENTRY = new URL('./printer-thread.js', import.meta.url);

/**
 * Starts a printing thread before it is known whether this process will print with it: the thread loads
 * playwright-core meanwhile. Hand it to createThreadedPrinter, or stop it with `terminate()`.
 */
export function startPrintingThread(): Worker {
  return new Worker(THREAD_ENTRY);
}

/**
 * A printer on a thread of its own: loading playwright-core (a quarter of a second) and the exchanges with
 * Chromium happen there, while this thread goes on with its own work. The same printer otherwise, for a
 * short-lived process that prints once or twice (the command line). Without a Chromium, no thread is started.
 */
export function createThreadedPrinter(options: {
  chromium: { path: string } | { problem: string };
  logger: Logger;
  closeAfterPrint?: boolean;
  /** A thread from startPrintingThread, used for the first print. */
  started?: Worker;
}): PdfPrinter {
  let started = options.started;
  if ('problem' in options.chromium) {
    void started?.terminate();
    return createPdfPrinter(options);
  }
  const { chromium, closeAfterPrint = false } = options;
  const { logger } = options;
  let problem: string | undefined;
  let thread: { worker: Worker; ended: Promise<void> } | undefined;
  const waiting = new Map<number, { resolve(bytes: Buffer | undefined): void; reject(error: Error): void }>();
  let nextId = 0;

  function start(): Worker {
    if (!thread) {
      const worker = started ?? new Worker(THREAD_ENTRY);
      started = undefined;
      worker.postMessage({ kind: 'open', chromium, closeAfterPrint } satisfies PrinterRequest);
      worker.on('message', (answer: PrinterAnswer) => {
        if (answer.kind === 'warning') return logger.warn(answer.error ? { err: answer.error } : {}, answer.message);
        problem = answer.problem;
        const caller = waiting.get(answer.id);
        waiting.delete(answer.id);
        if (!answer.error) caller?.resolve(answer.bytes && Buffer.from(answer.bytes));
        else caller?.reject(answer.error.name === 'PdfUnavailableError' ? new PdfUnavailableError(answer.error.message) : new Error(answer.error.message));
      });
      const ended = new Promise<void>((resolve) => {
        worker.once('error', (error) => logger.warn({ err: error }, 'The printing thread failed'));
        worker.once('exit', () => {
          thread = undefined;
          for (const caller of waiting.values()) caller.reject(new Error('the printing thread ended'));
          waiting.clear();
          resolve();
        });
      });
      thread = { worker, ended };
    }
    return thread.worker;
  }

  function ask(request: PrinterCall): Promise<Buffer | undefined> {
    if (problem) return Promise.reject(new PdfUnavailableError(problem));
    const id = (nextId += 1);
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      start().postMessage({ ...request, id } satisfies PrinterRequest);
    });
  }

  return {
    unavailable: () => problem,
    async print(html, frame) {
      return (await ask({ kind: 'print', html, frame }))!;
    },
    async rasterize(svg, height) {
      return problem ? undefined : ask({ kind: 'rasterize', svg, height }).catch(() => undefined);
    },
    warmUp() {
      if (!problem) start().postMessage({ kind: 'warm-up' } satisfies PrinterRequest);
    },
    async close() {
      if (!thread) return;
      const { worker, ended } = thread;
      worker.postMessage({ kind: 'close' } satisfies PrinterRequest);
      // A browser that does not close in time is stopped with its thread, so the process never hangs on it.
      const late = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      await ended;
      clearTimeout(late);
    },
  };
}
