/**
 * SentinelOne as a report source: clients map to sites (by name, with the client directory's rules, or by
 * hand), and a client's period becomes the endpoint-security section. Per report: the site list (cached for
 * the run), the site's agents, its threats from the trend's first month to the period's end, and one count of
 * the threats unresolved now, each paged at 1000.
 */
import { lookupByName } from '../clients/lookup.js';
import type { Logger } from '../logger.js';
import { previousPeriod, shortPeriodLabel } from '../period/period.js';
import type { DataSource, SourceTarget } from '../sources/source.js';
import { SentinelOneClient, type SentinelOneClientOptions } from './client.js';
import { computeSentinelOneFigures, threatWindow } from './figures.js';
import { sentinelOneHeadline, sentinelOneSection } from './section.js';
import type { SentinelOneAgent, SentinelOneSite, SentinelOneThreat } from './types.js';

/** The site list changes rarely; one read serves every report of a run (a digest's hundred clients). */
const SITES_TTL_MS = 10 * 60_000;

export interface SentinelOneSourceOptions extends SentinelOneClientOptions {
  logger?: Logger;
  now?: () => number;
}

export function createSentinelOneSource(options: SentinelOneSourceOptions): DataSource & { client: SentinelOneClient } {
  const client = new SentinelOneClient(options);
  const now = options.now ?? Date.now;
  let sites: { at: number; list: Promise<SourceTarget[]> } | undefined;

  function targets(): Promise<SourceTarget[]> {
    if (!sites || now() - sites.at > SITES_TTL_MS) {
      const list = readSites();
      sites = { at: now(), list };
      list.catch(() => (sites = undefined));
    }
    return sites.list;
  }

  async function readSites(): Promise<SourceTarget[]> {
    const list = await client.all<SentinelOneSite>('/sites', { states: 'active' }, (data) => (data as { sites?: unknown } | undefined)?.sites);
    // Only what mapping needs: a site object also carries its agent-install token, which is never kept.
    return list.map((site) => ({ id: String(site.id), name: site.name }));
  }

  return {
    key: 'sentinelone',
    label: 'SentinelOne',
    targetNoun: 'site',
    matchRule: 'by name',
    client,
    async match(clientRef) {
      const found = lookupByName(clientRef.name, await targets());
      if (found.kind === 'found') return { kind: 'matched', target: found.client };
      if (found.kind === 'ambiguous') return { kind: 'none', reason: `several SentinelOne sites match "${clientRef.name}" (${found.candidates.map((site) => site.name).join(', ')})` };
      return { kind: 'none', reason: `no SentinelOne site is named like "${clientRef.name}"` };
    },
    async find(text) {
      const found = lookupByName(text, await targets());
      if (found.kind === 'found') return { kind: 'matched', target: found.client };
      if (found.kind === 'ambiguous') return { kind: 'none', reason: `Several SentinelOne sites match "${text}": ${found.candidates.map((site) => site.name).join(', ')}. Give the site's full name or id.` };
      const close = found.suggestions.length > 0 ? ` Did you mean ${found.suggestions.map((site) => `"${site.name}"`).join(', ')}?` : '';
      return { kind: 'none', reason: `SentinelOne has no site "${text}".${close}` };
    },
    async contribute({ target, period, months, onProgress }) {
      const previous = previousPeriod(period);
      const window = threatWindow(period, previous, months);
      const steps = 3;
      onProgress?.({ text: 'Reading SentinelOne endpoints…', done: 0, total: steps });
      const agents = await client.all<SentinelOneAgent>('/agents', { siteIds: target.id, isDecommissioned: false });
      onProgress?.({ text: 'Reading SentinelOne threats…', done: 1, total: steps });
      const threats = await client.all<SentinelOneThreat>('/threats', {
        siteIds: target.id,
        createdAt__gte: window.from.toISOString(),
        createdAt__lt: window.to.toISOString(),
        sortBy: 'createdAt',
        sortOrder: 'asc',
      });
      onProgress?.({ text: 'Counting unresolved threats…', done: 2, total: steps });
      const unresolvedNow = await client.count('/threats', { siteIds: target.id, incidentStatuses: 'unresolved,in_progress' });
      // A site's agents and threats, whatever else the token sees: the answer is filtered again by site.
      const figures = computeSentinelOneFigures({
        site: { id: target.id, name: target.name },
        agents: agents.filter((agent) => String(agent.siteId) === target.id),
        threats: threats.filter((threat) => String(threat.agentRealtimeInfo?.siteId) === target.id),
        unresolvedNow,
        period,
        previous,
        months,
      });
      onProgress?.({ text: 'SentinelOne read.', done: steps, total: steps });
      return {
        figures,
        section: sentinelOneSection(figures, { period: period.label, previousPeriod: shortPeriodLabel(previous.label) }),
        headline: sentinelOneHeadline(figures),
      };
    },
    stats: () => client.stats(),
  };
}
