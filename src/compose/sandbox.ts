import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import type { Sandbox, SandboxOptions } from '../sandbox/index.js';
import type { RunningBot } from './running-bot.js';

/** In sandbox mode a Freshservice "minute" lasts this many real milliseconds, so the demo is quick at a Growth-plan limit. */
const SANDBOX_TIME_SCALE = 60;

/** The simulated SentinelOne's second lasts 100 ms, and the client's pace follows, so a demo digest is quick. */
const SANDBOX_SOURCE_TIME_SCALE = 10;

/** What the runtime needs of the simulated services: where they answer, and how fast the Freshservice clock runs. */
export interface SandboxServices {
  freshservice: { baseUrl: string; apiKey: string; controls: { timeScale: number } };
  mailchimp: { baseUrl: string; apiKey: string; audienceId: string };
  /** The simulated SentinelOne console (absent in the announcement of a bot from before it existed). */
  sentinelone?: { url: string; apiToken: string; controls: { timeScale: number } };
  /** The simulated Microsoft sign-in and Graph, likewise. */
  m365?: { loginUrl: string; graphUrl: string; clientId: string; clientSecret: string };
  close(): Promise<void>;
}

/** The simulated services of the bot running on the same data folder: the same world, outbox and audience. Closing leaves them running. */
export function sharedSandbox(bot: RunningBot): SandboxServices | undefined {
  if (!bot.sandbox) return undefined;
  const { freshservice, mailchimp, sentinelone, m365 } = bot.sandbox;
  return {
    freshservice: { baseUrl: freshservice.baseUrl, apiKey: freshservice.apiKey, controls: { timeScale: freshservice.timeScale } },
    mailchimp: { baseUrl: mailchimp.baseUrl, apiKey: mailchimp.apiKey, audienceId: mailchimp.audienceId },
    ...(sentinelone ? { sentinelone: { url: sentinelone.url, apiToken: sentinelone.apiToken, controls: { timeScale: sentinelone.timeScale } } } : {}),
    ...(m365 ? { m365 } : {}),
    close: async () => undefined,
  };
}

/** What a running bot announces of its sandbox, so that a command line can use the same one. */
export function announcedSandbox(sandbox: Sandbox): RunningBot['sandbox'] {
  return {
    freshservice: { baseUrl: sandbox.freshservice.baseUrl, apiKey: sandbox.freshservice.apiKey, timeScale: sandbox.freshservice.controls.timeScale },
    mailchimp: { baseUrl: sandbox.mailchimp.baseUrl, apiKey: sandbox.mailchimp.apiKey, audienceId: sandbox.mailchimp.audienceId },
    sentinelone: { url: sandbox.sentinelone.url, apiToken: sandbox.sentinelone.apiToken, timeScale: sandbox.sentinelone.controls.timeScale },
    m365: { loginUrl: sandbox.m365.loginUrl, graphUrl: sandbox.m365.graphUrl, clientId: sandbox.m365.clientId, clientSecret: sandbox.m365.clientSecret },
  };
}

/**
 * Resets the sandbox of `dataDir`: while a bot runs on it, its Mailchimp in place (empty outbox, seeded
 * audience; the tickets stay as seeded); otherwise the whole world is seeded afresh at the next start.
 * Answers whether it was the running bot's.
 */
export async function resetSharedSandbox(dataDir: string, running: RunningBot['sandbox']): Promise<boolean> {
  const { SANDBOX_RESET_PATH, resetSandbox } = await import('../sandbox/index.js');
  if (!running) {
    await resetSandbox(dataDir);
    return false;
  }
  const { default: axios } = await import('axios');
  await axios.post(new URL(SANDBOX_RESET_PATH, running.mailchimp.baseUrl).toString(), {}, { auth: { username: 'integoreport', password: running.mailchimp.apiKey }, timeout: 10_000 });
  return true;
}

/** Overrides for the embedded sandbox (tests and benchmarks). */
export type EmbeddedSandboxOptions = Partial<Omit<SandboxOptions, 'dataDir' | 'clock'>>;

/**
 * The simulated Freshservice and Mailchimp on 127.0.0.1 that a configuration without credentials runs
 * against, over the world kept in DATA_DIR; undefined when the configuration names the real services.
 * Started before the runtime, which is handed it.
 */
export async function startEmbeddedSandbox(config: Config, clock: Clock = systemClock, options: EmbeddedSandboxOptions = {}): Promise<Sandbox | undefined> {
  if (!config.sandbox) return undefined;
  const { startSandbox } = await import('../sandbox/index.js');
  return startSandbox({
    dataDir: config.dataDir,
    clock,
    freshserviceMode: config.freshserviceAccount.mode,
    audienceName: `${config.brand.name} clients`,
    ...options,
    controls: { timeScale: SANDBOX_TIME_SCALE, windowMs: 60_000, ...options.controls },
    sentinelOneControls: { timeScale: SANDBOX_SOURCE_TIME_SCALE, ...options.sentinelOneControls },
    m365Controls: { timeScale: SANDBOX_TIME_SCALE, ...options.m365Controls },
  });
}
