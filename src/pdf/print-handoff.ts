/**
 * Printing by the running bot: a command line on the bot's data folder hands it a page to print instead of
 * starting a Chromium of its own. The page is a file the command line wrote under DATA_DIR/printing (the bot
 * reads nothing else and never fetches a URL); the request names that file and carries the page frame, and
 * is authenticated by the token the bot wrote to DATA_DIR/bot.json, which only its owner can read.
 */
import path from 'node:path';
import { z } from 'zod';

export const PRINT_PATH = '/internal/print';

/** A page to print: a random name, so one command line never prints another's page. */
export const PRINT_FILE_NAME = /^[0-9a-f]{32}\.html$/;

export const PRINT_REQUEST = z.object({
  file: z.string().regex(PRINT_FILE_NAME),
  frame: z.object({
    paper: z.enum(['a4', 'letter']),
    brandName: z.string(),
    brandColor: z.string(),
    title: z.string(),
    footer: z.string().nullable(),
  }),
});

export type PrintRequest = z.infer<typeof PRINT_REQUEST>;

/** Where the pages handed to the bot wait while it prints them. */
export function printingDir(dataDir: string): string {
  return path.join(dataDir, 'printing');
}
