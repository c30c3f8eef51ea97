/**
 * The monthly digest as a use-case: one account-wide mirror refresh, then a draft report for every
 * linked client served from that mirror, classified into rows that are ready for approval or need
 * attention. Posting and chat buttons live in `src/chat/digest-publisher.ts`.
 */
import { createHash } from 'node:crypto';
import { readJsonFile } from '../store/files.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../report/metrics.js';
import type { Period } from '../period/period.js';
import { digestIdFor, type DigestNumbers, type DigestRecord, type DigestRow, type DigestStore } from '../store/digests.js';
import type { Puller } from '../freshservice/puller.js';
import { generateReport, reportDataStart, type GenerateDeps } from './generate-report.js';
import { discardedReportFor, reportFor } from './report-for.js';
import type { Actor, BotServices, ConfirmedSend, ReportSummary, SendOutcome } from './ports.js';
import { confirmationOf } from './confirmation.js';
import type { ClientEntry } from '../clients/types.js';
import { userFacingMessage } from '../errors.js';

export interface DigestDeps {
  services: Pick<BotServices, 'listClients' | 'getReport' | 'history' | 'sendReport' | 'refusal' | 'parsePeriod'>;
  /**
   * One account-wide refresh of the ticket mirror reaching back to `since` (the start of the drafts' year of
   * trends), enriching what changed for the clients drafted.
   */
  syncMirror(since: Date, clientIds: number[]): Promise<{ calls: number; credits: number }>;
  /** A new draft whose tickets come from the mirror as it is (no list call). */
  generateDraft(actor: Actor, client: { id: number; name: string }, period: Period): Promise<{ reportId: string; numbers: DigestNumbers }>;
  /** The numbers of an existing report, from its stored metrics. */
  numbersOf(reportId: string): Promise<DigestNumbers | undefined>;
  store: DigestStore;
  clock: Clock;
  logger: Logger;
}

export function numbersFromMetrics(metrics: Metrics): DigestNumbers {
  return {
    tickets: metrics.tickets.created,
    slaMet: metrics.sla.firstResponse.met,
    slaMissed: metrics.sla.firstResponse.missed,
    csatPositive: metrics.csat.positive,
    csatResponses: metrics.csat.responses,
  };
}

/** The error's sentence when it is meant for people; a generic one otherwise (the details are logged). */
function reasonOf(error: unknown): string {
  return userFacingMessage(error)?.slice(0, 300) ?? 'The pull failed for an unknown reason; see the bot\'s log.';
}

function unlinkedReason(client: ClientEntry): string {
  if (client.reason) return client.reason;
  if (client.state === 'to-add' && client.contactToAdd) return `${client.contactToAdd.firstName} ${client.contactToAdd.lastName} (${client.contactToAdd.email}) should be added to the audience.`;
  return 'No linked Mailchimp contact.';
}

/**
 * Refreshes the mirror once, then makes (or reuses) a draft for every linked client and saves the
 * digest's rows. A report that already exists for the period is reused, never regenerated; a discarded
 * one stays discarded (listed as needing attention, with Generate again).
 */
export async function prepareDigest(
  deps: DigestDeps,
  actor: Actor,
  period: Period,
  options: { onProgress?(text: string): void } = {},
): Promise<DigestRecord> {
  const clients = [...(await deps.services.listClients())].sort((a, b) => a.name.localeCompare(b.name));
  const linked = clients.filter((client) => client.state === 'linked');
  options.onProgress?.(`Refreshing the ticket mirror for ${clients.length} clients…`);
  const sync = await deps.syncMirror(reportDataStart(period), linked.map((client) => client.id));
  const rows: DigestRow[] = [];
  for (const [index, client] of linked.entries()) {
    options.onProgress?.(`Drafting ${index + 1}/${linked.length}: ${client.name}`);
    const ref = { id: client.id, name: client.name };
    try {
      const existing = await reportFor(deps.services, client, period);
      const discarded = existing ? undefined : await discardedReportFor(deps.services, client, period);
      if (discarded) {
        rows.push({ clientId: client.id, clientName: client.name, status: 'discarded', reportId: discarded.id, reason: `Discarded by ${discarded.discardedBy ?? 'someone'}; nothing was sent` });
        continue;
      }
      const draft = existing
        ? { reportId: existing.id, numbers: (await deps.numbersOf(existing.id)) ?? { tickets: existing.ticketCount, slaMet: 0, slaMissed: 0, csatPositive: 0, csatResponses: 0 } }
        : await deps.generateDraft(actor, ref, period);
      rows.push({ clientId: client.id, clientName: client.name, status: draft.numbers.tickets > 0 ? 'ready' : 'empty', reportId: draft.reportId, numbers: draft.numbers });
    } catch (error) {
      deps.logger.warn({ err: error, client: client.id, period: period.key }, 'digest: no draft for this client');
      rows.push({ clientId: client.id, clientName: client.name, status: 'failed', reason: reasonOf(error) });
    }
  }
  for (const client of clients.filter((entry) => entry.state !== 'linked')) {
    rows.push({ clientId: client.id, clientName: client.name, status: 'unlinked', reason: unlinkedReason(client) });
  }
  return deps.store.saveRows({
    id: digestIdFor(period.key),
    periodKey: period.key,
    periodLabel: period.label,
    createdAt: deps.clock.now().toISOString(),
    createdBy: actor.name,
    rows,
    sync: { calls: sync.calls, credits: sync.credits },
  });
}

/** The current state of every report in the digest, by client id. */
export async function digestReports(deps: Pick<DigestDeps, 'services'>, digest: DigestRecord, clientIds?: number[]): Promise<Map<number, ReportSummary>> {
  const wanted = digest.rows.filter((row) => row.reportId && (!clientIds || clientIds.includes(row.clientId)));
  const found = await Promise.all(wanted.map(async (row) => [row.clientId, await deps.services.getReport(row.reportId!)] as const));
  return new Map(found.filter((entry): entry is readonly [number, ReportSummary] => entry[1] !== undefined));
}

/** Ready rows whose report can still be approved: linked, not sent, not discarded. */
export function approvableRows(digest: DigestRecord, reports: Map<number, ReportSummary>): Array<{ row: DigestRow; report: ReportSummary }> {
  return digest.rows.flatMap((row) => {
    const report = reports.get(row.clientId);
    if (row.status !== 'ready' || !report || report.discarded || !report.recipient) return [];
    if (report.send && report.send.status !== 'failed') return [];
    return [{ row, report }];
  });
}

/**
 * What an Approve all confirmation covered, in 16 hex characters: every approvable report with its version and
 * addresses. Too many to carry in the button, so the button carries this and the press compares it.
 */
export function approvalFingerprint(pending: Array<{ row: DigestRow; report: ReportSummary }>): string {
  const lines = pending.map(({ row, report }) => {
    const { version, to } = confirmationOf(report);
    return `${row.clientId} ${report.id} ${version} ${to.map((address) => address.toLowerCase()).sort().join(',')}`;
  });
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex').slice(0, 16);
}

/** Sends one client's draft through the exactly-once delivery, only as confirmed. */
export async function approveDigestRow(deps: Pick<DigestDeps, 'services'>, actor: Actor, digest: DigestRecord, clientId: number, confirmed: ConfirmedSend): Promise<SendOutcome> {
  const row = digest.rows.find((entry) => entry.clientId === clientId);
  if (!row?.reportId) return { kind: 'refused', reason: 'That client has no draft in this digest.' };
  return deps.services.sendReport(actor, row.reportId, { confirmed });
}

/**
 * Sends the approvable drafts the confirmation covered one after the other, each only while its report and
 * addresses are still those shown, calling `onOutcome` after each so the digest can update as it goes.
 */
export async function approveAllRows(
  deps: Pick<DigestDeps, 'services'>,
  actor: Actor,
  pending: Array<{ row: DigestRow; report: ReportSummary }>,
  onOutcome: (clientId: number, outcome: SendOutcome) => Promise<void>,
): Promise<Array<{ clientId: number; clientName: string; outcome: SendOutcome }>> {
  const results: Array<{ clientId: number; clientName: string; outcome: SendOutcome }> = [];
  for (const { row, report } of pending) {
    const outcome = await deps.services.sendReport(actor, report.id, { confirmed: confirmationOf(report) });
    results.push({ clientId: row.clientId, clientName: row.clientName, outcome });
    await onOutcome(row.clientId, outcome);
  }
  return results;
}

/**
 * How the digest drafts: one mirror refresh, then each draft generated with pulls served from that
 * mirror (no ticket listing per client); an existing report's numbers come from its stored metrics.
 */
export function mirrorDrafts(generation: GenerateDeps, puller: Pick<Puller, 'pull' | 'syncMirror' | 'datasetFile'>): Pick<DigestDeps, 'syncMirror' | 'generateDraft' | 'numbersOf'> {
  const fromMirror: GenerateDeps = {
    ...generation,
    puller: { pull: (client, period, options) => puller.pull(client, period, { ...options, fromMirror: true }), datasetFile: puller.datasetFile },
  };
  return {
    syncMirror: (since, clientIds) => puller.syncMirror({ since, enrichClients: clientIds }),
    async generateDraft(actor, client, period) {
      const generated = await generateReport(fromMirror, actor, { client, period });
      return { reportId: generated.record.id, numbers: numbersFromMetrics(generated.metrics) };
    },
    async numbersOf(reportId) {
      const record = await generation.reports.get(reportId);
      if (!record) return undefined;
      const metrics = await readJsonFile<Metrics>(record.files.metrics).catch(() => undefined);
      return metrics ? numbersFromMetrics(metrics) : undefined;
    },
  };
}
