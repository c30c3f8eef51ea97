/**
 * Microsoft 365 as a report source: the MSP's multi-tenant app, consented in each client tenant, reads each
 * tenant with a token of its own. A client maps to the tenant that owns its linked contact's email domain as
 * a verified domain (found by the domain's public sign-in configuration, confirmed in the tenant), or by hand to
 * a tenant id. Per report: a token, the subscribed SKUs, three usage reports (each a 302 and a download), and
 * the Secure Scores Microsoft keeps.
 */
import { emailDomain } from '../clients/names.js';
import type { Logger } from '../logger.js';
import { previousPeriod } from '../period/period.js';
import { userFacingMessage } from '../errors.js';
import type { DataSource, SourceTarget, TargetMatch } from '../sources/source.js';
import { GraphClient, type GraphClientOptions } from './client.js';
import { computeM365Figures, type SecureScore, type SubscribedSku } from './figures.js';
import { m365Headline, m365Section } from './section.js';

export interface M365SourceOptions extends GraphClientOptions {
  logger?: Logger;
}

interface Organization {
  id: string;
  displayName: string;
  verifiedDomains: Array<{ name: string; isInitial?: boolean }>;
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createM365Source(options: M365SourceOptions): DataSource & { client: GraphClient } {
  const client = new GraphClient(options);

  /** The tenant's organisation, read with its own token (so reading it proves our app is consented there). */
  async function organization(tenant: string): Promise<Organization> {
    const [org] = await client.getAll<Organization>(tenant, '/organization?$select=id,displayName,verifiedDomains', 'the organisation');
    if (!org) throw new Error(`Tenant ${tenant} answered without its organisation.`);
    return org;
  }

  type TenantLookup = { kind: 'matched'; target: SourceTarget; domains: Organization['verifiedDomains'] } | { kind: 'none'; reason: string };

  async function tenantOf(text: string): Promise<TenantLookup> {
    const wanted = text.trim();
    const tenant = TENANT_ID.test(wanted) ? wanted.toLowerCase() : await client.tenantIdOf(wanted);
    if (!tenant) return { kind: 'none', reason: `no Microsoft 365 tenant owns the domain ${wanted}` };
    try {
      const org = await organization(tenant);
      return { kind: 'matched', target: { id: tenant, name: org.displayName }, domains: org.verifiedDomains };
    } catch (error) {
      const said = userFacingMessage(error);
      if (!said) throw error;
      return { kind: 'none', reason: said.replace(/\.$/, '') };
    }
  }

  return {
    key: 'm365',
    label: 'Microsoft 365',
    targetNoun: 'tenant',
    matchRule: "by the contact's email domain",
    client,
    async match(clientRef) {
      const domain = clientRef.email ? emailDomain(clientRef.email) : '';
      if (!domain) return { kind: 'none', reason: 'the client has no linked contact whose email domain could name its tenant' };
      const found = await tenantOf(domain);
      if (found.kind === 'none') return found;
      const verified = found.domains.some((entry) => entry.name.toLowerCase() === domain && !entry.isInitial && !entry.name.toLowerCase().endsWith('.onmicrosoft.com'));
      return verified ? { kind: "matched", target: found.target } : { kind: "none", reason: `${domain} is not one of tenant ${found.target.name}'s own verified domains` };
    },
    async find(text): Promise<TargetMatch> {
      const found = await tenantOf(text);
      return found.kind === 'matched' ? { kind: 'matched', target: found.target } : { kind: 'none', reason: `Microsoft 365: ${found.reason}.` };
    },
    async contribute({ target, period, months, onProgress }) {
      const tenant = target.id;
      const previous = previousPeriod(period);
      const steps = 5;
      let done = 0;
      const step = async <T>(text: string, work: Promise<T>): Promise<T> => {
        const result = await work;
        done += 1;
        onProgress?.({ text, done, total: steps });
        return result;
      };
      onProgress?.({ text: 'Reading Microsoft 365…', done: 0, total: steps });
      const [skus, activeUserCounts, servicesUserCounts, mailboxUsage, secureScores] = await Promise.all([
        step('Licences read', client.getAll<SubscribedSku>(tenant, '/subscribedSkus', 'the subscribed licences')),
        step('Active users read', client.usageReport(tenant, 'getOffice365ActiveUserCounts', 'D180')),
        step('Service activity read', client.usageReport(tenant, 'getOffice365ServicesUserCounts', 'D30')),
        step('Mailboxes read', client.usageReport(tenant, 'getMailboxUsageDetail', 'D30')),
        step('Secure Score read', client.getAll<SecureScore>(tenant, '/security/secureScores?$top=90', 'the Secure Scores')),
      ]);
      const figures = computeM365Figures({ tenant: { id: tenant, name: target.name }, skus, activeUserCounts, servicesUserCounts, mailboxUsage, secureScores, period, previous, months });
      return { figures, section: m365Section(figures, { period: period.label, previousPeriod: previous.label }), headline: m365Headline(figures) };
    },
    stats: () => client.stats(),
  };
}
