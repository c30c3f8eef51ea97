/**
 * How a command line finds the bot running on the same data folder: the bot writes `DATA_DIR/bot.json`
 * when it listens (its address, the token that lets a command line have it print, and in sandbox mode its
 * simulated services), readable by its owner only, and removes it when it stops.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { readJsonData } from '../store/data-file.js';
import { writeJsonAtomic } from '../store/files.js';

const SERVICE = z.object({ baseUrl: z.url(), apiKey: z.string() });

const RUNNING_BOT = z.object({
  pid: z.number().int(),
  /** Where the bot answers HTTP (report links, the playground). */
  url: z.url(),
  /** What a command line presents to have the bot print a page (see src/pdf/print-handoff.ts). */
  printToken: z.string().min(32).optional(),
  sandbox: z
    .object({
      freshservice: SERVICE.extend({ timeScale: z.number().positive() }),
      mailchimp: SERVICE.extend({ audienceId: z.string() }),
      sentinelone: z.object({ url: z.url(), apiToken: z.string(), timeScale: z.number().positive() }).optional(),
      m365: z.object({ loginUrl: z.url(), graphUrl: z.url(), clientId: z.string(), clientSecret: z.string() }).optional(),
    })
    .optional(),
});

export type RunningBot = z.infer<typeof RUNNING_BOT>;

export function runningBotFile(dataDir: string): string {
  return path.join(dataDir, 'bot.json');
}

/** Announces the bot on its data folder; the answer takes the announcement back (only if it is still this process's). */
export async function announceBot(dataDir: string, bot: RunningBot): Promise<() => Promise<void>> {
  const file = runningBotFile(dataDir);
  await writeJsonAtomic(file, bot, { mode: 0o600 });
  return async () => {
    const current = await findAnnouncement(file);
    if (current?.pid === bot.pid) await fs.rm(file, { force: true });
  };
}

async function findAnnouncement(file: string): Promise<RunningBot | undefined> {
  const announced = RUNNING_BOT.safeParse(await readJsonData(file).catch(() => undefined));
  return announced.success ? announced.data : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something listens at `url`'s host and port (a bot that died leaves its announcement behind). */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The bot running on `dataDir`, or undefined when none is (no announcement, or its process and port are gone). */
export async function findRunningBot(dataDir: string): Promise<RunningBot | undefined> {
  const bot = await findAnnouncement(runningBotFile(dataDir));
  if (!bot || !isAlive(bot.pid)) return undefined;
  const checks = [bot.url, ...(bot.sandbox ? [bot.sandbox.mailchimp.baseUrl, bot.sandbox.freshservice.baseUrl] : [])];
  return (await Promise.all(checks.map(listening))).every(Boolean) ? bot : undefined;
}
