import { ConfigError, loadConfig } from '../config.js';
import { createLogger, prettyDestination } from '../logger.js';
import { startBot } from './bot-process.js';
import { startEmbeddedSandbox } from './sandbox.js';
import { createPdfPrinter } from '../pdf/printer.js';
import { findChromium } from '../pdf/chromium.js';

/** `npm start`: the bot process. Bad settings stop it with every problem listed, one line each. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`IntegoReport cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, secrets: config.secrets, destination: process.stdout.isTTY ? await prettyDestination() : undefined });
  logger.info(
    config.sandbox
      ? `IntegoReport starting in sandbox mode: simulated Freshservice${config.freshserviceAccount.mode === 'msp' ? ' (an MSP account: clients are client workspaces)' : ''} and Mailchimp with seeded data on 127.0.0.1, data in ${config.dataDir}`
      : `IntegoReport starting against Freshservice ${config.freshservice!.baseUrl} and Mailchimp ${config.mailchimp!.baseUrl}, data in ${config.dataDir}`,
  );
  for (const warning of config.warnings) logger.warn(warning);
  if (config.approvers.length === 0) logger.warn('APPROVERS is empty: reports can be generated, but nobody can send one, discard one or change a client\'s contact from chat');
  // Chromium started now and a page kept open: reports, and pages a command line hands over, print without waiting for either.
  const pdf = createPdfPrinter({ chromium: findChromium(config.pdf.chromiumPath), logger, keepPageReady: true });
  pdf.warmUp();
  const bot = await startBot({ config, logger, sandbox: await startEmbeddedSandbox(config), pdf });
  logger.info(
    config.sandbox
      ? `Ready. Open the chat playground at http://localhost:${config.port}/ and type "help".`
      : `Ready on ${config.host} port ${config.port}: Slack at ${config.publicBaseUrl}/slack/events, Teams at ${config.publicBaseUrl}/api/messages.`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received; stopping`);
    await bot.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`IntegoReport stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
