/**
 * The use-cases behind every surface, put together: the client directory, report generation, history
 * and status, and the exactly-once delivery. Surfaces call them through {@link BotServices}.
 */
import { promises as fs } from 'node:fs';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ClientEntry } from '../clients/types.js';
import type { DeliveryChannels } from '../mailchimp/channel.js';
import { begunPeriod, parsePeriod } from '../period/period.js';
import type { ReportRecord, ReportStore } from '../store/reports.js';
import { approvalRefusal, isApprover, requireApprover } from '../approvers.js';
import { appendAudit, auditActor } from '../store/audit.js';
import type { ClientUseCases } from './clients.js';
import { createDelivery, type DeliverableReport, type Delivery } from './delivery.js';
import type { RecipientLookup } from './delivery/confirmed.js';
import { generateReport, type GenerateDeps } from './generate-report.js';
import type { BotServices, PeriodSend, ReportSummary } from './ports.js';
import { newestReportFor } from './report-for.js';
import type { SourceUseCases } from './sources.js';

export interface AppServiceDeps {
  config: Pick<Config, 'approvers' | 'report' | 'timezone' | 'sandbox' | 'dataDir' | 'pdf'>;
  clients: ClientUseCases;
  /** Pull, metrics and rendering of one report; its store and links are the ones history and delivery read. */
  generation: GenerateDeps;
  channels: DeliveryChannels;
  /** The data sources beside the helpdesk and the clients' mappings to them. */
  sources: SourceUseCases;
  clock: Clock;
  logger: Logger;
}

export interface AppServices {
  services: BotServices;
  delivery: Delivery;
  /** The web HTML of a report, for its signed link. */
  webHtml(reportId: string): Promise<string | undefined>;
  /** The PDF of a report and the name to save it under, for its signed link and attachments. */
  pdf(reportId: string): Promise<{ content: Buffer; fileName: string } | undefined>;
}

/** The client's linked Mailchimp contact, or why there is none. `entries`: the client list when the caller already read it. */
async function recipientOf(clients: ClientUseCases, clientId: number, entries?: ClientEntry[]): Promise<RecipientLookup> {
  const entry = (entries ?? (await clients.listClients())).find((client) => client.id === clientId);
  if (!entry) return { problem: 'This client is no longer in Freshservice.' };
  if (entry.state === 'linked' && entry.email) return { email: entry.email };
  return { problem: entry.reason ?? `${entry.name} has no linked Mailchimp contact yet. Use "fix ${entry.name}" to link one.` };
}

/** A stored report as delivery sends it; with `attachPdf`, its PDF goes along (where the channel can attach it). */
async function deliverableReport(reports: ReportStore, reportId: string, attachPdf: boolean): Promise<DeliverableReport | undefined> {
  const record = await reports.get(reportId);
  if (!record) return undefined;
  const pdf = attachPdf ? await reportPdf(reports, reportId) : undefined;
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
    ...(pdf ? { attachments: [{ name: pdf.fileName, type: 'application/pdf', content: pdf.content }] } : {}),
  };
}

export function createAppServices(deps: AppServiceDeps): AppServices {
  const { config, clients, generation, clock } = deps;
  const { reports } = generation;

  const delivery = createDelivery({
    channels: deps.channels,
    config,
    dataDir: config.dataDir,
    clock,
    logger: deps.logger,
    resolveRecipient: (clientId) => recipientOf(clients, clientId),
    currentReport: (clientId, periodKey) => newestReportFor(services, { id: clientId }, { key: periodKey }),
    loadReport: (reportId) => deliverableReport(reports, reportId, config.pdf.attach),
  });

  /** The period's last send that reached the client, with the figures of the report that went out. */
  async function periodSendOf(record: ReportRecord): Promise<PeriodSend | undefined> {
    const sent = await delivery.lastSentOfPeriod(record.clientId, record.periodKey);
    if (!sent) return undefined;
    const sentReport = sent.reportId === record.id ? record : await reports.get(sent.reportId);
    return {
      sendId: sent.id,
      reportId: sent.reportId,
      version: sent.version,
      periodLabel: sent.periodLabel,
      to: sent.to,
      sentBy: sent.requestedBy.name,
      sentAt: sent.sentAt ?? sent.updatedAt,
      figures: sentReport?.figures ?? [],
    };
  }

  async function summarize(record: ReportRecord, entries?: ClientEntry[]): Promise<ReportSummary> {
    const recipient = await recipientOf(clients, record.clientId, entries);
    const periodSend = await periodSendOf(record);
    return {
      id: record.id,
      version: record.version,
      client: { id: record.clientId, name: record.clientName },
      period: { key: record.periodKey, label: record.periodLabel, from: record.periodFrom, to: record.periodTo },
      createdAt: record.createdAt,
      createdBy: record.createdBy,
      figures: record.figures,
      ...(record.sources ? { sources: record.sources } : {}),
      ticketCount: record.ticketCount,
      viewUrl: generation.reportUrl(record.id),
      ...(record.files.pdf ? { pdfUrl: generation.reportUrl(record.id, { pdf: true }) } : record.pdfProblem ? { pdfProblem: record.pdfProblem } : {}),
      recipient: 'email' in recipient ? recipient.email : undefined,
      copyTo: config.report.copyTo,
      discarded: Boolean(record.discarded),
      ...(record.discarded ? { discardedBy: record.discarded.by } : {}),
      send: await delivery.sendForReport(record.id),
      ...(periodSend ? { periodSend } : {}),
    };
  }

  async function clientById(clientId: number): Promise<{ id: number; name: string; email?: string }> {
    const client = (await clients.listClients()).find((entry) => entry.id === clientId);
    if (!client) throw new Error(`There is no client with id ${clientId}.`);
    return { id: client.id, name: client.name, ...(client.email ? { email: client.email } : {}) };
  }

  const services: BotServices = {
    listClients: (options) => clients.listClients(options),
    findClient: (text) => clients.findClient(text),
    suggestContacts: (clientId) => clients.suggestContacts(clientId),
    fixClient: (actor, clientId, fix) => clients.fixClient(actor, clientId, fix),
    parsePeriod: (text) => begunPeriod(parsePeriod(text, { timezone: config.timezone, now: clock.now() }), clock.now()),
    async generateReport(actor, request) {
      const client = (await clients.listClients()).find((entry) => entry.id === request.clientId);
      if (!client) throw new Error(`There is no client with id ${request.clientId}.`);
      const generated = await generateReport(generation, actor, {
        client: { id: client.id, name: client.name, ...(client.email ? { email: client.email } : {}) },
        period: request.period,
        onProgress: request.onProgress,
      });
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
    async contractOf(clientId) {
      const contract = await generation.contracts.get(clientId);
      return contract ? { monthlyHours: contract.monthlyHours, setBy: contract.setBy, setAt: contract.setAt } : null;
    },
    async setContract(actor, clientId, monthlyHours) {
      requireApprover(config.approvers, actor, 'contract');
      await generation.contracts.set(clientId, monthlyHours, actor.name, clock.now().toISOString());
      await appendAudit(config.dataDir, {
        actor: auditActor(actor),
        action: 'client.contract',
        target: { clientId },
        outcome: 'ok',
        detail: monthlyHours === null ? 'Monthly allowance removed.' : `Monthly allowance set to ${monthlyHours} billable hours.`,
      }, clock);
    },
    async mappingsOf(clientId) {
      const client = await clientById(clientId);
      return deps.sources.mappings(client);
    },
    async mapClient(actor, clientId, source, target) {
      return deps.sources.map(actor, await clientById(clientId), source, target);
    },
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

  return {
    services,
    delivery,
    async webHtml(reportId) {
      const record = await reports.get(reportId);
      return record ? fs.readFile(record.files.webHtml, 'utf8').catch(() => undefined) : undefined;
    },
    pdf: (reportId) => reportPdf(reports, reportId),
  };
}

/** "Acme Corporation – October 2026 service report.pdf", without characters a file system refuses. */
function pdfFileName(record: ReportRecord): string {
  return `${record.clientName} – ${record.periodLabel} service report.pdf`.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim();
}

async function reportPdf(reports: ReportStore, reportId: string): Promise<{ content: Buffer; fileName: string } | undefined> {
  const record = await reports.get(reportId);
  if (!record?.files.pdf) return undefined;
  const content = await fs.readFile(record.files.pdf).catch(() => undefined);
  return content && { content, fileName: pdfFileName(record) };
}
