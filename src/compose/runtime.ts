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
import { createDelivery, type Delivery, type RecipientLookup } from '../app/delivery.js';
import { generateReport } from '../app/generate-report.js';
import { reportFor } from '../app/report-for.js';
import type { Actor, BotServices, ReportSummary } from '../app/ports.js';
import type { ClientEntry } from '../clients/types.js';
import { parsePeriod } from '../period/period.js';
import { ReportStore, type ReportRecord } from '../store/reports.js';
import { signReportLink } from '../report/links.js';
import { sandboxDir, startSandbox, writeSampleLogo, type Sandbox, type SandboxOptions } from '../sandbox/index.js';
import { createBrand, createHostedLogo, type Brand } from '../brand/index.js';
import { getFile, uploadFile } from '../mailchimp/files.js';
import { promises as fs } from 'node:fs';
import { approvalRefusal, isApprover, requireApprover } from '../approvers.js';

/** In sandbox mode a Freshservice "minute" lasts this many real milliseconds, so the demo is quick at a Growth-plan limit. */
const SANDBOX_TIME_SCALE = 60;

export interface Runtime {
  config: Config;
  clock: Clock;
  logger: Logger;
  services: BotServices;
  freshservice: Freshservice;
  clients: ClientUseCases;
  delivery: Delivery;
  reports: ReportStore;
  /** The MSP's brand on every client-facing output. */
  brand: Brand;
  sandbox?: Sandbox;
  /** The signed link of a report's web rendering. */
  reportUrl(reportId: string): string;
  /** The web HTML of a report, for `/reports/:id`. */
  loadWebHtml(reportId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Overrides for the embedded sandbox (tests and benchmarks). */
  sandbox?: Partial<Omit<SandboxOptions, 'dataDir' | 'clock'>>;
}

/**
 * Builds every adapter and the use-cases from the config. In sandbox mode it first starts the
 * simulated Freshservice and Mailchimp on 127.0.0.1 and points the config at them.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const config: Config = { ...options.config };
  let sandbox: Sandbox | undefined;
  if (config.sandbox) {
    sandbox = await startSandbox({
      dataDir: config.dataDir,
      clock,
      freshserviceMode: config.freshserviceAccount.mode,
      ...options.sandbox,
      controls: { timeScale: SANDBOX_TIME_SCALE, windowMs: 60_000, ...options.sandbox?.controls },
    });
    config.freshservice = { baseUrl: sandbox.freshservice.baseUrl, apiKey: sandbox.freshservice.apiKey };
    config.mailchimp = {
      baseUrl: sandbox.mailchimp.baseUrl,
      apiKey: sandbox.mailchimp.apiKey,
      audienceId: sandbox.mailchimp.audienceId,
      statusIfNew: 'subscribed',
    };
  }
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
  const brand = createBrand({
    settings: config.brand,
    hostedLogo: createHostedLogo({
      dataDir: config.dataDir,
      // The sandbox's Mailchimp gets a new port on every start; its File Manager lives on in DATA_DIR.
      account: sandbox ? 'sandbox' : `${mailchimpSettings.baseUrl}#${mailchimpSettings.audienceId}`,
      upload: (file) => uploadFile(mailchimpHttp, file),
      lookup: (fileId) => getFile(mailchimpHttp, fileId),
      now: () => clock.now(),
      logger,
    }),
    now: () => clock.now(),
    logger,
  });
  await brand.check();

  const reportUrl = (reportId: string) =>
    signReportLink({ reportId, baseUrl: config.publicBaseUrl, secret: config.report.linkSecret, ttlDays: config.report.linkTtlDays, now: clock.now() });

  /** `entries`: the client list when the caller already read it (one read for many reports). */
  async function resolveRecipient(clientId: number, entries?: ClientEntry[]): Promise<RecipientLookup> {
    const entry = (entries ?? (await clients.listClients())).find((client) => client.id === clientId);
    if (!entry) return { problem: 'This client is no longer in Freshservice.' };
    if (entry.state === 'linked' && entry.email) return { email: entry.email };
    return { problem: entry.reason ?? `${entry.name} has no linked Mailchimp contact yet. Use "fix ${entry.name}" to link one.` };
  }

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
  const delivery = createDelivery({
    channels,
    config,
    dataDir: config.dataDir,
    clock,
    logger,
    resolveRecipient,
    currentReport: (clientId, periodKey) => reportFor(services, { id: clientId }, { key: periodKey }),
    loadReport: async (reportId) => {
      const record = await reports.get(reportId);
      if (!record) return undefined;
      return {
        id: record.id,
        clientId: record.clientId,
        clientName: record.clientName,
        periodKey: record.periodKey,
        periodLabel: record.periodLabel,
        version: record.version,
        emailHtml: await fs.readFile(record.files.emailHtml, 'utf8'),
        createdAt: record.createdAt,
        discarded: Boolean(record.discarded),
      };
    },
  });

  async function summarize(record: ReportRecord, entries?: ClientEntry[]): Promise<ReportSummary> {
    const recipient = await resolveRecipient(record.clientId, entries);
    return {
      id: record.id,
      version: record.version,
      client: { id: record.clientId, name: record.clientName },
      period: { key: record.periodKey, label: record.periodLabel, from: record.periodFrom, to: record.periodTo },
      createdAt: record.createdAt,
      createdBy: record.createdBy,
      figures: record.figures,
      ticketCount: record.ticketCount,
      viewUrl: reportUrl(record.id),
      recipient: 'email' in recipient ? recipient.email : undefined,
      copyTo: config.report.copyTo,
      discarded: Boolean(record.discarded),
      send: await delivery.sendForReport(record.id),
    };
  }

  const services: BotServices = {
    listClients: (options) => clients.listClients(options),
    findClient: (text) => clients.findClient(text),
    suggestContacts: (clientId) => clients.suggestContacts(clientId),
    fixClient: (actor, clientId, fix) => clients.fixClient(actor, clientId, fix),
    parsePeriod: (text) => parsePeriod(text, { timezone: config.timezone, now: clock.now() }),
    async generateReport(actor: Actor, request) {
      const client = (await clients.listClients()).find((entry) => entry.id === request.clientId);
      if (!client) throw new Error(`There is no client with id ${request.clientId}.`);
      const generated = await generateReport(
        { puller: freshservice.puller, reports, clock, logger, brand: brand.forReport, reportUrl },
        actor,
        { client: { id: client.id, name: client.name }, period: request.period, onProgress: request.onProgress },
      );
      return summarize(generated.record);
    },
    async getReport(reportId) {
      const record = await reports.get(reportId);
      return record ? summarize(record) : undefined;
    },
    async discardReport(actor, reportId) {
      requireApprover(config.approvers, actor, 'discard');
      const record = await reports.markDiscarded(reportId, actor.name, clock.now().toISOString());
      if (!record) throw new Error(`There is no report ${reportId}; generate it again.`);
      return summarize(record);
    },
    sendReport: (actor, reportId, options) => delivery.sendReport(actor, reportId, options),
    sendTest: (actor, reportId, to) => delivery.sendTest(actor, reportId, to),
    refusal: (actor, action) => (isApprover(config.approvers, actor) ? undefined : approvalRefusal(config.approvers, action, actor.platform)),
    async history(clientId) {
      const records = await reports.forClient(clientId);
      const entries = records.length > 0 ? await clients.listClients() : [];
      return Promise.all(records.map((record) => summarize(record, entries)));
    },
    async status() {
      const [entries, allReports, syncStatus] = await Promise.all([clients.listClients(), reports.all(), clients.syncStatus()]);
      const sends = (await Promise.all(entries.map((entry) => delivery.sendsFor(entry.id)))).flat();
      return {
        sandbox: config.sandbox,
        lastSync: syncStatus.lastSync?.at,
        clients: entries.length,
        linked: entries.filter((entry) => entry.state === 'linked').length,
        reports: allReports.length,
        sends: sends.filter((send) => send.status === 'sent').length,
      };
    },
  };

  await delivery.resumePendingSends();

  return {
    config,
    clock,
    logger,
    services,
    freshservice,
    clients,
    delivery,
    reports,
    brand,
    sandbox,
    reportUrl,
    async loadWebHtml(reportId) {
      const record = await reports.get(reportId);
      return record ? fs.readFile(record.files.webHtml, 'utf8').catch(() => undefined) : undefined;
    },
    async close() {
      await sandbox?.close();
    },
  };
}
