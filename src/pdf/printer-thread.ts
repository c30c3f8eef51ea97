/**
 * The thread of src/pdf/threaded-printer.ts: a printer (src/pdf/printer.ts) of its own, answering the requests
 * posted to it. Its warnings go to the process's logger; closing it closes the browser and ends the thread.
 */
import { parentPort } from 'node:worker_threads';
import { createPdfPrinter, loadPlaywright, type PdfPrinter } from './printer.js';
import type { PrinterAnswer, PrinterRequest } from './threaded-printer.js';

const port = parentPort!;
const post = (answer: PrinterAnswer) => port.postMessage(answer);
// Loaded before the first message is read: the thread may be started before its Chromium is known.
loadPlaywright();
let printer: PdfPrinter;
let closeAfterPrint = false;

function describeError(error: unknown): { name: string; message: string } | undefined {
  return error === undefined ? undefined : { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}

port.on('message', async (request: PrinterRequest) => {
  if (request.kind === 'open') {
    closeAfterPrint = request.closeAfterPrint;
    printer = createPdfPrinter({
      chromium: request.chromium,
      logger: { warn: (fields: unknown, message?: string) => post({ kind: 'warning', message: message ?? '', error: describeError((fields as { err?: unknown }).err) }) },
    });
    return;
  }
  if (request.kind === 'warm-up') return printer.warmUp();
  if (request.kind === 'close') {
    await printer.close();
    port.close();
    return;
  }
  try {
    const bytes = request.kind === 'print' ? await printer.print(request.html, request.frame) : await printer.rasterize(Buffer.from(request.svg), request.height);
    post({ kind: 'answer', id: request.id, bytes, problem: printer.unavailable() });
  } catch (error) {
    post({ kind: 'answer', id: request.id, error: describeError(error), problem: printer.unavailable() });
  }
  if (request.kind === 'print' && closeAfterPrint) await printer.close();
});
