import type { Actor, BotServices, ReportSummary, SendOutcome, SendSummary } from '../../src/app/ports.js';
import type { ClientEntry, ClientFix, ContactSuggestion } from '../../src/clients/types.js';
import { begunPeriod, parsePeriod } from '../../src/period/period.js';
import type { Clock } from '../../src/clock.js';

const SENTINELONE = { key: 'sentinelone', label: 'SentinelOne', targetNoun: 'site', matchRule: 'by name' };
import { UserFacingError } from '../../src/errors.js';
import { approvalRefusal, isApprover, parseApprovers, requireApprover } from '../../src/approvers.js';

export interface FakeServicesOptions {
  clock: Clock;
  /** APPROVERS entries, read as the bot reads them (`slack:U…`, `teams:…`, emails). */
  approvers?: string[];
  /** Extra generated clients, to exercise paging. */
  extraClients?: number;
  viewUrl?: (reportId: string) => string;
  copyTo?: string;
}

export interface FakeServices extends BotServices {
  clients: ClientEntry[];
  reports: Map<string, ReportSummary>;
  /** Every real (non-test) delivery, in order. */
  deliveries: Array<{ reportId: string; to: string[]; by: string }>;
  tests: Array<{ reportId: string; to: string }>;
  generateCalls: number;
  fixes: Array<{ clientId: number; fix: ClientFix; by: string }>;
  /** Make the next generateReport wait until `release()` is called. */
  holdGeneration(): { release(): void };
  /** Make the next generateReport fail with this error. */
  failNextGeneration(error: Error): void;
}

/** A small in-memory BotServices for chat tests: three named clients plus optional filler. */
export function createFakeServices(options: FakeServicesOptions): FakeServices {
  const { clock } = options;
  const copyTo = options.copyTo ?? 'reports@msp.example';
  const { approvers } = parseApprovers((options.approvers ?? []).join(','), { sandbox: true });
  const clients: ClientEntry[] = [
    { id: 1, name: 'Acme Corp', state: 'linked', email: 'jane@acme.example', contactName: 'Jane Doe', via: 'prime-name' },
    { id: 2, name: 'Globex', state: 'to-add', reason: 'Hank Scorpio is named in Freshservice but not in the audience', contactToAdd: { email: 'hank@globex.example', firstName: 'Hank', lastName: 'Scorpio' } },
    { id: 3, name: 'Initech', state: 'no-contact', reason: 'No Freshservice contact and no audience member on initech.example' },
  ];
  for (let index = 0; index < (options.extraClients ?? 0); index += 1) {
    clients.push({ id: 100 + index, name: `Client ${String(index + 1).padStart(3, '0')}`, state: index % 3 === 0 ? 'no-contact' : 'linked', email: index % 3 === 0 ? undefined : `c${index}@example.com` });
  }
  const reports = new Map<string, ReportSummary>();
  const contracts = new Map<number, { monthlyHours: number; setBy: string; setAt: string }>();
  const mappings = new Map<number, { id: string; name: string; setBy: string; setAt: string }>();
  let hold: Promise<void> | undefined;
  let failure: Error | undefined;
  let sequence = 0;

  const withRecipient = (report: ReportSummary): ReportSummary => {
    const client = clients.find((entry) => entry.id === report.client.id);
    return { ...report, recipient: client?.state === 'linked' ? client.email : undefined, copyTo };
  };

  const services: FakeServices = {
    clients,
    reports,
    deliveries: [],
    tests: [],
    generateCalls: 0,
    fixes: [],
    holdGeneration() {
      let release!: () => void;
      hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      return { release };
    },
    failNextGeneration(error) {
      failure = error;
    },
    async listClients(query) {
      return clients.filter((client) => !query?.unlinkedOnly || client.state !== 'linked');
    },
    async findClient(text) {
      const wanted = text.trim().toLowerCase();
      const exact = clients.filter((client) => client.name.toLowerCase() === wanted);
      if (exact.length === 1) return { kind: 'found', client: exact[0]! };
      const partial = clients.filter((client) => client.name.toLowerCase().includes(wanted) || wanted.includes(client.name.toLowerCase().split(' ')[0]!));
      if (partial.length === 1) return { kind: 'found', client: partial[0]! };
      if (partial.length > 1) return { kind: 'ambiguous', candidates: partial };
      const suggestions = clients.filter((client) => client.name.toLowerCase()[0] === wanted[0]).slice(0, 3);
      return { kind: 'not-found', suggestions };
    },
    async suggestContacts(clientId): Promise<ContactSuggestion[]> {
      const client = clients.find((entry) => entry.id === clientId);
      if (!client) return [];
      return [{ email: `it@${client.name.split(' ')[0]!.toLowerCase()}.example`, name: 'Pat Jones', status: 'subscribed', reason: `same domain ${client.name.split(' ')[0]!.toLowerCase()}.example`, score: 0.8 }];
    },
    async fixClient(actor, clientId, fix) {
      requireApprover(approvers, actor, 'fix');
      const client = clients.find((entry) => entry.id === clientId);
      if (!client) throw new Error(`no client ${clientId}`);
      services.fixes.push({ clientId, fix, by: actor.name });
      if (fix.kind === 'unlink') Object.assign(client, { state: 'no-contact', email: undefined, via: undefined });
      else Object.assign(client, { state: 'linked', email: fix.email ?? client.contactToAdd?.email, via: 'manual', linkedBy: actor.name, linkedAt: clock.now().toISOString(), contactToAdd: undefined });
      return { ...client };
    },
    parsePeriod(text) {
      return begunPeriod(parsePeriod(text, { timezone: 'UTC', now: clock.now() }), clock.now());
    },
    async generateReport(actor, request) {
      services.generateCalls += 1;
      const client = clients.find((entry) => entry.id === request.clientId);
      if (!client) throw new Error(`no client ${request.clientId}`);
      const waitFor = hold;
      hold = undefined;
      request.onProgress?.({ phase: 'pull', text: 'Pulling tickets… 0/480', done: 0, total: 480 });
      if (waitFor) await waitFor;
      request.onProgress?.({ phase: 'pull', text: 'Pulling tickets… 480/480', done: 480, total: 480 });
      request.onProgress?.({ phase: 'render', text: 'Rendering…' });
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      sequence += 1;
      const id = `r${sequence}-${client.id}-${request.period.key}`;
      const report: ReportSummary = {
        id,
        version: [...reports.values()].filter((earlier) => earlier.client.id === client.id && earlier.period.key === request.period.key).length + 1,
        client: { id: client.id, name: client.name },
        period: { key: request.period.key, label: request.period.label, from: request.period.from.toISOString(), to: request.period.to.toISOString() },
        createdAt: clock.now().toISOString(),
        createdBy: actor.name,
        figures: [
          { label: 'Tickets', value: '48', change: '▲ 12 %', trend: 'neutral' },
          { label: 'Resolved', value: '45', change: '▲ 3', trend: 'good' },
          { label: 'Avg first response', value: '1 h 12 min', change: '▼ 8 %', trend: 'good' },
        ],
        ticketCount: 48,
        viewUrl: options.viewUrl?.(id) ?? `http://127.0.0.1/reports/${id}`,
      };
      reports.set(id, report);
      return withRecipient(report);
    },
    async getReport(reportId) {
      const report = reports.get(reportId);
      return report && withRecipient(report);
    },
    async discardReport(actor, reportId) {
      requireApprover(approvers, actor, 'discard');
      const report = reports.get(reportId);
      if (!report) throw new Error('no report');
      report.discarded = true;
      return withRecipient(report);
    },
    async sendReport(actor, reportId, sendOptions = {}): Promise<SendOutcome> {
      const report = reports.get(reportId);
      if (!report) return { kind: 'refused', reason: 'That report does not exist.' };
      const refusal = services.refusal(actor, 'send');
      if (refusal) return { kind: 'refused', reason: refusal };
      if (report.send) return { kind: 'already-sent', send: report.send };
      const full = withRecipient(report);
      const shown = sendOptions.confirmed;
      if (shown && [...shown.to].sort().join() !== [full.recipient, copyTo].filter(Boolean).sort().join()) {
        return { kind: 'changed', reason: `The contact for ${report.client.name} changed since this card was shown: now ${full.recipient ?? 'no linked contact'}.`, reportId };
      }
      if (!full.recipient) return { kind: 'refused', reason: `${report.client.name} has no linked contact.` };
      const send: SendSummary = { id: `s-${reportId}`, status: 'sent', to: [full.recipient, copyTo], sentBy: actor.name, sentAt: clock.now().toISOString() };
      report.send = send;
      services.deliveries.push({ reportId, to: send.to, by: actor.name });
      return { kind: 'sent', send };
    },
    async sendTest(actor: Actor, reportId, to) {
      const refusal = services.refusal(actor, 'test');
      if (refusal) return { kind: 'refused', reason: refusal };
      services.tests.push({ reportId, to });
      return { kind: 'sent', send: { id: `t-${services.tests.length}`, status: 'sent', to: [to], sentBy: actor.name, sentAt: clock.now().toISOString() } };
    },
    refusal(actor, action) {
      return isApprover(approvers, actor) ? undefined : approvalRefusal(approvers, action, actor.platform);
    },
    async contractOf(clientId) {
      return contracts.get(clientId) ?? null;
    },
    async setContract(actor, clientId, monthlyHours) {
      requireApprover(approvers, actor, 'contract');
      if (monthlyHours === null) contracts.delete(clientId);
      else contracts.set(clientId, { monthlyHours, setBy: actor.name, setAt: clock.now().toISOString() });
    },
    async mappingsOf(clientId) {
      const mapping = mappings.get(clientId);
      if (!mapping) return [{ source: SENTINELONE, target: null, via: 'none', reason: 'no SentinelOne site is named like it' }];
      return [{ source: SENTINELONE, target: { id: mapping.id, name: mapping.name }, via: 'manual', setBy: mapping.setBy, setAt: mapping.setAt }];
    },
    async mapClient(actor, clientId, source, target) {
      if (source !== 'sentinelone') throw new UserFacingError(`"${source}" is not a data source here; use one of: sentinelone.`);
      requireApprover(approvers, actor, 'map');
      mappings.set(clientId, { id: target, name: target, setBy: actor.name, setAt: clock.now().toISOString() });
      return { source: SENTINELONE, target: { id: target, name: target }, via: 'manual', setBy: actor.name, setAt: clock.now().toISOString() };
    },
    async history(clientId) {
      return [...reports.values()].filter((report) => report.client.id === clientId).map(withRecipient);
    },
    async status() {
      return { sandbox: true, clients: clients.length, linked: clients.filter((client) => client.state === 'linked').length, reports: reports.size, sends: services.deliveries.length };
    },
  };
  return services;
}
