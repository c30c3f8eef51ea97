/**
 * The data sources beside the helpdesk, as the use-cases see them: which target each client maps to (by hand
 * first, else the source's automatic rule), what each mapped source adds to a report, and mapping by hand
 * (approvers only, audited). A source without settings is simply not in the list: no calls, no sections.
 */
import { requireApprover, type Approver } from '../approvers.js';
import type { Clock } from '../clock.js';
import { UserFacingError, userFacingMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Period } from '../period/period.js';
import { foldText } from '../clients/names.js';
import type { SourceSection } from '../sources/section.js';
import type { DataSource, SourceClient, SourcePullProgress, SourceTarget, TargetMatch } from '../sources/source.js';
import { appendAudit, auditActor } from '../store/audit.js';
import type { SourceMapStore } from '../store/source-maps.js';
import type { Actor } from './ports.js';

export interface SourcesDeps {
  sources: readonly DataSource[];
  maps: SourceMapStore;
  clock: Clock;
  logger: Logger;
  approvers: readonly Approver[];
  dataDir: string;
}

/** A client's mapping to one source: the target and how it was chosen, or why there is none. */
export interface SourceMapping {
  source: { key: string; label: string; targetNoun: string; matchRule: string };
  target: SourceTarget | null;
  via: 'manual' | 'automatic' | 'none';
  /** Who mapped it by hand, and when. */
  setBy?: string;
  setAt?: string;
  /** Why there is no target (unmapped, ambiguous, the source could not be read). */
  reason?: string;
}

/** What one source added to a report, or why it added nothing although the client is mapped. */
export interface SourceOutcome {
  key: string;
  label: string;
  figures?: unknown;
  section?: SourceSection;
  headline?: string;
  problem?: string;
}

/** One line per mapping, the same in chat and on the command line. `command` shows how to map by hand. */
export function describeMapping(mapping: SourceMapping, command: (example: string) => string): string {
  const { source, target } = mapping;
  const byHand = mapping.setBy ? ` by hand by ${mapping.setBy}${mapping.setAt ? ` on ${mapping.setAt.slice(0, 10)}` : ''}` : '';
  if (target) return `${source.label}: ${source.targetNoun} ${target.name} (${mapping.via === 'manual' ? `mapped${byHand}` : `matched ${source.matchRule}`}).`;
  if (mapping.via === 'manual') return `${source.label}: no ${source.targetNoun} (set${byHand}); reports leave its section out.`;
  return `${source.label}: not mapped, ${mapping.reason ?? 'no match'}; map it with ${command(`map <client> ${source.key} <${source.targetNoun}>`)}.`;
}

export class SourceMappingError extends UserFacingError {
  override name = 'SourceMappingError';
}

export function createSourceUseCases(deps: SourcesDeps) {
  const describe = (source: DataSource) => ({ key: source.key, label: source.label, targetNoun: source.targetNoun, matchRule: source.matchRule });

  function sourceFor(text: string): DataSource {
    const wanted = foldText(text).replace(/[\s_-]+/g, '');
    const source = deps.sources.find((candidate) => [candidate.key, foldText(candidate.label).replace(/\s+/g, '')].includes(wanted));
    if (source) return source;
    const known = deps.sources.map((candidate) => candidate.key).join(', ');
    throw new SourceMappingError(known ? `"${text}" is not a data source here; use one of: ${known}.` : 'No data source beside the helpdesk is set up, so there is nothing to map.');
  }

  async function mappingFor(source: DataSource, client: SourceClient): Promise<SourceMapping> {
    const manual = await deps.maps.get(source.key, client.id);
    if (manual) {
      const by = { setBy: manual.setBy, setAt: manual.setAt };
      if (manual.targetId === null) return { source: describe(source), target: null, via: 'manual', reason: `mapped to no ${source.targetNoun} by hand`, ...by };
      return { source: describe(source), target: { id: manual.targetId, name: manual.targetName ?? manual.targetId }, via: 'manual', ...by };
    }
    let match: TargetMatch;
    try {
      match = await source.match(client);
    } catch (error) {
      deps.logger.warn({ err: error, source: source.key }, 'Data source mapping could not be read');
      return { source: describe(source), target: null, via: 'none', reason: userFacingMessage(error) ?? `${source.label} could not be read; the details are in the log` };
    }
    return match.kind === 'matched'
      ? { source: describe(source), target: match.target, via: 'automatic' }
      : { source: describe(source), target: null, via: 'none', reason: match.reason };
  }

  return {
    /** Every configured source's mapping for the client. */
    mappings(client: SourceClient): Promise<SourceMapping[]> {
      return Promise.all(deps.sources.map((source) => mappingFor(source, client)));
    },

    /**
     * What every mapped source adds to the client's report. A source that fails leaves its section out and
     * says why (the helpdesk report is never lost for it); an unmapped one adds nothing at all.
     */
    async contributions(client: SourceClient, request: { period: Period; months: Period[]; asOf: Date; onProgress?: (progress: SourcePullProgress & { source: string }) => void }): Promise<SourceOutcome[]> {
      const outcomes = await Promise.all(
        deps.sources.map(async (source): Promise<SourceOutcome | undefined> => {
          const mapping = await mappingFor(source, client);
          if (!mapping.target) return undefined;
          try {
            const contribution = await source.contribute({
              target: mapping.target,
              period: request.period,
              months: request.months,
              asOf: request.asOf,
              onProgress: (progress) => request.onProgress?.({ ...progress, source: source.label }),
            });
            return { key: source.key, label: source.label, ...contribution };
          } catch (error) {
            deps.logger.warn({ err: error, source: source.key, client: client.id }, 'Data source pull failed; the report is made without its section');
            return { key: source.key, label: source.label, problem: userFacingMessage(error) ?? `${source.label} could not be read; the details are in the log.` };
          }
        }),
      );
      return outcomes.filter((outcome): outcome is SourceOutcome => outcome !== undefined);
    },

    /**
     * Only approvers: maps the client to a target by its id or name, to none ("none": no section, no automatic
     * mapping), or back to the automatic rule ("auto"). Audited. Returns the mapping now in force.
     */
    async map(actor: Actor, client: SourceClient, sourceText: string, targetText: string): Promise<SourceMapping> {
      const source = sourceFor(sourceText);
      requireApprover(deps.approvers, actor, 'map');
      const wanted = targetText.trim();
      let target: SourceTarget | null | undefined;
      if (/^(auto|automatic)$/i.test(wanted)) target = undefined;
      else if (/^(none|off)$/i.test(wanted)) target = null;
      else {
        const found = await source.find(wanted);
        if (found.kind === 'none') throw new SourceMappingError(found.reason);
        target = found.target;
      }
      const at = deps.clock.now().toISOString();
      await deps.maps.set(source.key, client.id, target === undefined ? undefined : target && { id: target.id, name: target.name }, actor.name, at);
      await appendAudit(deps.dataDir, {
        actor: auditActor(actor),
        action: 'client.map',
        target: { clientId: client.id, key: source.key },
        outcome: 'ok',
        detail: target === undefined ? `${source.label}: back to automatic mapping.` : target === null ? `${source.label}: mapped to no ${source.targetNoun}.` : `${source.label}: mapped to ${source.targetNoun} ${target.name} (${target.id}).`,
      }, deps.clock);
      return mappingFor(source, client);
    },
  };
}

export type SourceUseCases = ReturnType<typeof createSourceUseCases>;
