import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { createFreshservice, type Freshservice } from '../freshservice/index.js';
import { createMailchimpHttp } from '../mailchimp/http.js';
import { createMailchimpMembers } from '../mailchimp/members.js';
import { createTransactionalClient } from '../mailchimp/transactional.js';
import { createDeliveryChannels } from '../mailchimp/delivery-channels.js';
import { openDirectoryStore } from '../clients/directory-store.js';
import { freshserviceDirectorySource } from '../clients/sync.js';
import { createClientUseCases, type ClientUseCases } from '../app/clients.js';
import type { Delivery } from '../app/delivery.js';
import type { GenerateDeps } from '../app/generate-report.js';
import type { BotServices } from '../app/ports.js';
import { createAppServices } from '../app/services.js';
import { ReportStore } from '../store/reports.js';
import type { SendRecord } from '../store/sends.js';
import { signReportLink } from '../report/links.js';
import type { Sandbox } from '../sandbox/index.js';
import { writeSampleLogo } from '../sandbox/brand-logo.js';
import { sandboxDir } from '../sandbox/paths.js';
import type { SandboxServices } from './sandbox.js';
import { createBrand, createHostedLogo, type Brand } from '../brand/index.js';
import { getFile, uploadFile } from '../mailchimp/files.js';
import { findChromium } from '../pdf/chromium.js';
import { ContractStore } from '../store/contracts.js';
import type { PeopleNames } from '../report/who-what.js';
import type { FreshserviceDirectory } from '../freshservice/index.js';
import { createPdfPrinter, type PdfPrinter } from '../pdf/printer.js';
import { createSourceUseCases } from '../app/sources.js';
import { SourceMapStore } from '../store/source-maps.js';
import { createSources } from './sources.js';

export interface Runtime<S extends SandboxServices = Sandbox> {
  config: Config;
  clock: Clock;
  logger: Logger;
  services: BotServices;
  freshservice: Freshservice;
  clients: ClientUseCases;
  delivery: Delivery;
  /** Sends a crash or an unanswered call had left open, as start-up finished (or checked) them. */
  resumedSends: SendRecord[];
  reports: ReportStore;
  /** Pull, metrics and rendering of one report, as the services generate them. */
  generation: GenerateDeps;
  /** The MSP's brand on every client-facing output. */
  brand: Brand;
  /** Prints reports and rasterises the logo (headless Chromium, started on first use). */
  pdf: PdfPrinter;
  /** The simulated services of sandbox mode: embedded (the runtime closes them) or the running bot's. */
  sandbox?: S;
  /** The signed link of a report's web rendering, or with `pdf` of its PDF. */
  reportUrl(reportId: string, options?: { pdf?: boolean }): string;
  /** The web HTML of a report, for `/reports/:id`. */
  loadWebHtml(reportId: string): Promise<string | undefined>;
  /** The PDF of a report and the name to save it under, for `/reports/:id/pdf`. */
  loadPdf(reportId: string): Promise<{ content: Buffer; fileName: string } | undefined>;
  close(): Promise<void>;
}

export interface RuntimeOptions<S extends SandboxServices = Sandbox> {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** In sandbox mode, the simulated services (see `startEmbeddedSandbox`, `sharedSandbox`); the runtime talks to them and closes them. */
  sandbox?: S;
  /** A printer made beforehand (e.g. already starting its browser); by default one over the configured Chromium. The runtime closes it. */
  pdf?: PdfPrinter;
}

/** Requester and agent names from the directory (cached for a day); a report goes on without them if they cannot be read. */
async function peopleNames(directory: FreshserviceDirectory, logger: Logger): Promise<PeopleNames | null> {
  try {
    const [requesters, agents] = await Promise.all([directory.listRequesters(), directory.listAgents()]);
    const fullName = (person: { first_name: string; last_name: string | null }) => [person.first_name, person.last_name].filter(Boolean).join(' ').trim();
    const names: Record<string, string> = {};
    for (const person of [...requesters, ...agents]) names[String(person.id)] = fullName(person) || `Requester ${person.id}`;
    return { names, agentIds: agents.map((agent) => agent.id) };
  } catch (error) {
    logger.warn({ err: error }, 'Requester names could not be read; the report shows requester numbers instead');
    return null;
  }
}

/** The logo's height in the email's masthead, in CSS pixels (its PNG is drawn at twice that, for sharp screens). */
const EMAIL_LOGO_HEIGHT = 40;

/** The configuration pointed at the embedded sandbox's services. */
function configFor(config: Config, sandbox: SandboxServices | undefined): Config {
  if (!config.sandbox) return { ...config };
  if (!sandbox) throw new Error('Sandbox mode needs the embedded sandbox: start it with startEmbeddedSandbox() and hand it to the runtime.');
  return {
    ...config,
    freshservice: { baseUrl: sandbox.freshservice.baseUrl, apiKey: sandbox.freshservice.apiKey },
    mailchimp: { baseUrl: sandbox.mailchimp.baseUrl, apiKey: sandbox.mailchimp.apiKey, audienceId: sandbox.mailchimp.audienceId, statusIfNew: 'subscribed' },
    sources: {
      ...(sandbox.sentinelone ? { sentinelone: { url: sandbox.sentinelone.url, apiToken: sandbox.sentinelone.apiToken } } : {}),
      ...(sandbox.m365 ? { m365: { clientId: sandbox.m365.clientId, clientSecret: sandbox.m365.clientSecret, loginUrl: sandbox.m365.loginUrl, graphUrl: sandbox.m365.graphUrl } } : {}),
    },
  };
}

/** Builds every adapter and the use-cases from the config (in sandbox mode, against the sandbox handed in). */
export async function createRuntime<S extends SandboxServices = Sandbox>(options: RuntimeOptions<S>): Promise<Runtime<S>> {
  const { logger, sandbox } = options;
  const clock = options.clock ?? systemClock;
  const config = configFor(options.config, sandbox);
  if (sandbox && config.brand.sample) {
    config.brand = { ...config.brand, logo: { kind: 'file', path: await writeSampleLogo(sandboxDir(config.dataDir), config.brand.color) } };
  }
  const freshserviceSettings = config.freshservice!;
  const mailchimpSettings = config.mailchimp!;

  const freshservice = createFreshservice({
    baseUrl: freshserviceSettings.baseUrl,
    apiKey: freshserviceSettings.apiKey,
    dataDir: config.dataDir,
    clock,
    logger,
    rateLimit: { window: config.freshserviceAccount.rateWindow, minuteMs: sandbox ? 60_000 / sandbox.freshservice.controls.timeScale : undefined },
    account: { mode: config.freshserviceAccount.mode, workspace: config.freshserviceAccount.workspace },
  });
  const mailchimpHttp = createMailchimpHttp({ baseUrl: mailchimpSettings.baseUrl, apiKey: mailchimpSettings.apiKey, logger });
  const clients = createClientUseCases({
    store: openDirectoryStore(config.dataDir),
    mailchimp: createMailchimpMembers(mailchimpHttp, mailchimpSettings.audienceId),
    freshserviceSource: freshserviceDirectorySource(freshservice.directory),
    clock,
    config: { statusIfNew: mailchimpSettings.statusIfNew },
    approvers: config.approvers,
    logger,
    requestCounts: () => ({ freshservice: freshservice.client.stats().calls, mailchimp: mailchimpHttp.stats().requests }),
  });
  const reports = new ReportStore(config.dataDir);
  const pdf = options.pdf ?? createPdfPrinter({ chromium: findChromium(config.pdf.chromiumPath), logger });
  if (pdf.unavailable()) logger.warn(`Reports are made without a PDF: ${pdf.unavailable()}`);
  const brand = createBrand({
    settings: config.brand,
    hostedLogo: createHostedLogo({
      dataDir: config.dataDir,
      // The sandbox's Mailchimp gets a new port on every start; its File Manager lives on in DATA_DIR.
      account: sandbox ? 'sandbox' : `${mailchimpSettings.baseUrl}#${mailchimpSettings.audienceId}`,
      upload: (file) => uploadFile(mailchimpHttp, file),
      lookup: (fileId) => getFile(mailchimpHttp, fileId),
      rasterize: (svg) => pdf.rasterize(svg, EMAIL_LOGO_HEIGHT * 2),
      now: () => clock.now(),
      logger,
    }),
    now: () => clock.now(),
    logger,
  });
  await brand.check();

  const reportUrl = (reportId: string, options: { pdf?: boolean } = {}) =>
    signReportLink({ reportId, baseUrl: config.publicBaseUrl, secret: config.report.linkSecret, ttlDays: config.report.linkTtlDays, now: clock.now(), pdf: options.pdf });

  const transactional = mailchimpSettings.transactional
    ? createTransactionalClient({ baseUrl: mailchimpSettings.transactional.baseUrl, apiKey: mailchimpSettings.transactional.apiKey, logger })
    : undefined;
  const channels = createDeliveryChannels({
    http: mailchimpHttp,
    audienceId: mailchimpSettings.audienceId,
    transactional,
    fromName: config.report.fromName,
    replyTo: config.report.replyTo,
  });
  // Not awaited: the first send waits for the same check, and start-up does not wait on Mailchimp.
  void channels.transactional?.prepare?.();
  const sources = createSourceUseCases({
    sources: createSources(config.sources, { logger, timeScale: sandbox?.sentinelone?.controls.timeScale ?? 1 }),
    maps: new SourceMapStore(config.dataDir),
    clock,
    logger,
    approvers: config.approvers,
    dataDir: config.dataDir,
  });
  const generation: GenerateDeps = {
    puller: freshservice.puller,
    reports,
    clock,
    logger,
    brand: brand.forReport,
    reportUrl,
    historyCreditBudget: config.historyCreditBudget,
    pdf,
    paper: config.pdf.paper,
    contracts: new ContractStore(config.dataDir),
    people: () => peopleNames(freshservice.directory, logger),
    sources,
  };
  const { services, delivery, webHtml, pdf: pdfOf } = createAppServices({ config, clients, generation, channels, sources, clock, logger });

  const resumedSends = (await delivery.resumePendingSends()).map((entry) => entry.send);

  return {
    resumedSends,
    config,
    clock,
    logger,
    services,
    freshservice,
    clients,
    delivery,
    reports,
    brand,
    pdf,
    sandbox,
    generation,
    reportUrl,
    loadWebHtml: webHtml,
    loadPdf: pdfOf,
    async close() {
      await pdf.close();
      await sandbox?.close();
    },
  };
}
