import type { Config } from '../config.js';
import type { Actor, BotServices } from '../app/ports.js';
import type { ClientUseCases } from '../app/clients.js';
import type { DigestPublisher } from '../chat/digest-publisher.js';
import type { Puller } from '../freshservice/puller.js';
import type { ReportStore } from '../store/reports.js';
import type { Output } from './output.js';

/** What the commands work with once the configuration is known: the use-cases and the stores they read. */
export interface CliRuntime {
  services: BotServices;
  clients: ClientUseCases;
  puller: Pick<Puller, 'pull' | 'syncMirror'>;
  reports: ReportStore;
  /** Freshservice calls made so far by this process. */
  freshserviceCalls(): number;
  /** The monthly digest's publisher, built when a command needs it. */
  digest(): Promise<DigestPublisher>;
  close(): Promise<void>;
}

export type Environment = Record<string, string | undefined>;

/** What a command will do with the runtime, so that opening it can start early what it is certain to need. */
export interface RuntimeNeeds {
  /** The command prints a report to PDF: the browser is started first, while the rest loads. */
  printing?: boolean;
}

/** What the wiring hands the command line; each piece is loaded only when a command asks for it. */
export interface CliWiring {
  /** Told what a command needs as soon as it is chosen, before its code and the settings are read: what it is certain to need starts here. */
  anticipate(needs: RuntimeNeeds): void;
  /** The process's environment with `.env` filling in what it does not set. */
  readEnvironment(): Promise<Environment>;
  /** Every setting, validated (a ConfigError lists each problem on its own line). */
  loadConfig(env: Environment): Promise<Config>;
  /** The use-cases over the data folder; `env` decides how much is logged. */
  openRuntime(config: Config, env: Environment, needs: RuntimeNeeds): Promise<CliRuntime>;
  /** Empties the sandbox's outbox and restores its audience: the running bot's when it runs on this data folder. */
  resetSandbox(config: Config): Promise<{ runningBot: boolean }>;
}

/** What one command runs with. */
export interface CommandContext {
  out: Output;
  /** The operator, and on whose behalf (`--as`). */
  actor: Actor;
  config(): Promise<Config>;
  /** Opened once, with what the command table says the command needs; the command line closes it after the command. */
  runtime(): Promise<CliRuntime>;
  resetSandbox(config: Config): Promise<{ runningBot: boolean }>;
}
