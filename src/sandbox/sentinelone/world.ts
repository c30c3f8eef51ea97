/**
 * The simulated SentinelOne account over the sandbox's clients: one site per client except a few (they stay
 * unmapped), named as an MSP would name them (mostly the client's name, sometimes with a suffix or a typo),
 * plus the MSP's own lab site; agents by seat count; threats month by month over the world's span.
 * Derived from the world (same world, same account), so nothing extra is stored.
 */
import type { SentinelOneAgent, SentinelOneSite, SentinelOneThreat } from '../../sentinelone/types.js';
import { createRng, type Rng } from '../rng.js';
import type { SandboxWorld } from '../world/world.js';
import { firstTicketCreatedMs } from '../world/stored-world.js';

/** Clients without a SentinelOne site in the sandbox: the report shows no security section for them. */
export const UNMAPPED_SENTINELONE_CLIENTS = ['Pied Piper', 'Dunder Mifflin', 'Vandelay Industries'];

/** How a few clients' sites are named in the console (the rest carry the client's name). */
const SITE_NAMES: Record<string, string> = {
  Globex: 'Globex - HQ',
  'Stark Logistics': 'Stark Logistcs',
  Hooli: 'Hooli (Palo Alto)',
};

export interface SentinelOneSandboxSite extends SentinelOneSite {
  accountId: string;
  accountName: string;
  state: 'active';
  siteType: 'Paid';
  /** The agent-install token every real site object carries: a secret the client must not keep. */
  registrationToken: string;
  createdAt: string;
}

export interface SentinelOneWorld {
  sites: SentinelOneSandboxSite[];
  agents: Array<SentinelOneAgent & { siteName: string; accountId: string; createdAt: string }>;
  threats: Array<SentinelOneThreat & { agentDetectionInfo: { siteId: null }; mitigationStatus: Array<{ action: string; status: string }> }>;
}

const ACCOUNT_ID = '1392053568574369781';
const ACCOUNT_NAME = 'Sandbox MSP';

function idFrom(base: bigint, index: number): string {
  return String(base + BigInt(index));
}

function prefixOf(name: string): string {
  return name.replace(/[^A-Za-z]/g, '').slice(0, 4).toUpperCase() || 'HOST';
}

const OS_MIX: ReadonlyArray<readonly [{ osType: string; osName: string; kind: string; machineType: string }, number]> = [
  [{ osType: 'windows', osName: 'Windows 11 Pro', kind: 'LT', machineType: 'laptop' }, 52],
  [{ osType: 'windows', osName: 'Windows 10 Pro', kind: 'WS', machineType: 'desktop' }, 18],
  [{ osType: 'macos', osName: 'macOS Sonoma', kind: 'MAC', machineType: 'laptop' }, 15],
  [{ osType: 'linux', osName: 'Ubuntu 22.04', kind: 'SRV', machineType: 'server' }, 8],
  [{ osType: 'windows', osName: 'Windows Server 2022', kind: 'SRV', machineType: 'server' }, 5],
  [{ osType: 'windows_legacy', osName: 'Windows 7', kind: 'OLD', machineType: 'desktop' }, 2],
];

const THREAT_NAMES = ['Trojan.GenericKD', 'invoice_0423.pdf.exe', 'AutoKMS.exe', 'PUA.BundleInstaller', 'Emotet loader', 'macro-enabled.docm', 'crack_setup.exe', 'Mimikatz'];

function seedAgents(rng: Rng, site: SentinelOneSandboxSite, seats: number, agentBase: bigint, start: number, createdAt: string): SentinelOneWorld['agents'] {
  const count = Math.max(2, Math.round(seats * (1.1 + rng.next() * 0.3)));
  const prefix = prefixOf(site.name);
  return Array.from({ length: count }, (_, index) => {
    const os = rng.weighted(OS_MIX);
    const decommissioned = rng.chance(0.03);
    return {
      id: idFrom(agentBase, start + index),
      computerName: `${prefix}-${os.kind}-${String(index + 1).padStart(3, '0')}`,
      siteId: site.id,
      siteName: site.name,
      accountId: ACCOUNT_ID,
      osType: os.osType,
      osName: os.osName,
      machineType: os.machineType,
      agentVersion: rng.chance(0.88) ? '24.1.2.6' : '23.3.1.9',
      isUpToDate: false,
      isActive: !decommissioned && rng.chance(0.93),
      isDecommissioned: decommissioned,
      isUninstalled: false,
      infected: false,
      activeThreats: 0,
      lastActiveDate: createdAt,
      createdAt,
    };
  }).map((agent) => ({ ...agent, isUpToDate: agent.agentVersion === '24.1.2.6' }));
}

/** What the account is derived from: the world's seed, anchor and clients, and when its first ticket was raised (threats span the months since). */
export type SentinelOneBasis = Pick<SandboxWorld, 'seed' | 'anchor' | 'departments'> & { firstTicketCreatedMs: number | undefined };

export function seedSentinelOneWorld(world: SandboxWorld): SentinelOneWorld {
  return sentinelOneWorldOf({ seed: world.seed, anchor: world.anchor, departments: world.departments, firstTicketCreatedMs: firstTicketCreatedMs(world) });
}

export function sentinelOneWorldOf(world: SentinelOneBasis): SentinelOneWorld {
  const rng = createRng(world.seed ^ 0x51e1);
  const anchor = new Date(world.anchor);
  const firstTicket = Math.min(world.firstTicketCreatedMs ?? Infinity, anchor.getTime());
  const spanStart = new Date(Date.UTC(new Date(firstTicket).getUTCFullYear(), new Date(firstTicket).getUTCMonth(), 1));
  const siteBase = 1392053568582758390n;
  const agentBase = 1463801667584541849n;
  const threatBase = 1715718962991148224n;
  const result: SentinelOneWorld = { sites: [], agents: [], threats: [] };

  const clients = world.departments.filter((department) => !UNMAPPED_SENTINELONE_CLIENTS.includes(department.name));
  const named = [...clients.map((department) => ({ name: SITE_NAMES[department.name] ?? department.name, seats: Number(department.custom_fields.seats ?? 12) || 12 })), { name: 'MSP Internal Lab', seats: 4 }];
  for (const [index, entry] of named.entries()) {
    const site: SentinelOneSandboxSite = {
      id: idFrom(siteBase, index * 7),
      name: entry.name,
      accountId: ACCOUNT_ID,
      accountName: ACCOUNT_NAME,
      state: 'active',
      siteType: 'Paid',
      registrationToken: `eyJ1cmwiOiAiaHR0cHM6Ly9zYW5kYm94In0-${index}`,
      createdAt: spanStart.toISOString(),
    };
    result.sites.push(site);
    const agents = seedAgents(rng, site, entry.seats, agentBase, result.agents.length, spanStart.toISOString());
    result.agents.push(...agents);
    const live = agents.filter((agent) => !agent.isDecommissioned);
    // A couple of repeat offenders per site: most threats land on a few endpoints.
    const offenders = live.slice(0, Math.min(3, live.length));
    for (let month = new Date(spanStart); month < anchor; month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))) {
      const end = Math.min(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1), anchor.getTime());
      const expected = entry.seats * 0.06 * (0.5 + rng.next());
      const threats = Math.floor(expected) + (rng.chance(expected % 1) ? 1 : 0);
      for (let n = 0; n < threats; n += 1) {
        const createdAt = new Date(month.getTime() + Math.floor(rng.next() * (end - month.getTime())));
        const agent = rng.chance(0.5) ? rng.pick(offenders) : rng.pick(live);
        const recent = anchor.getTime() - createdAt.getTime() < 21 * 86_400_000;
        const mitigation = rng.weighted([['mitigated', 85], ['marked_as_benign', 8], ['not_mitigated', 7]] as const);
        const incident = recent && rng.chance(0.35) ? rng.pick(['unresolved', 'in_progress'] as const) : mitigation === 'not_mitigated' && rng.chance(0.3) ? 'unresolved' : 'resolved';
        result.threats.push({
          id: idFrom(threatBase, result.threats.length * 13),
          agentRealtimeInfo: { agentComputerName: agent.computerName, agentId: agent.id, agentOsType: agent.osType, siteId: site.id, siteName: site.name },
          agentDetectionInfo: { siteId: null },
          threatInfo: {
            threatName: rng.pick(THREAT_NAMES),
            classification: rng.pick(['Malware', 'Trojan', 'PUA', 'Ransomware']),
            confidenceLevel: rng.weighted([['malicious', 60], ['suspicious', 35], ['n/a', 5]] as const),
            mitigationStatus: mitigation,
            incidentStatus: incident,
            analystVerdict: incident === 'resolved' ? 'true_positive' : 'undefined',
            createdAt: createdAt.toISOString(),
            identifiedAt: createdAt.toISOString(),
            updatedAt: createdAt.toISOString(),
          },
          mitigationStatus: mitigation === 'mitigated' ? [{ action: 'kill', status: 'success' }, { action: 'quarantine', status: 'success' }] : [],
        });
        if (incident !== 'resolved') {
          agent.infected = true;
          agent.activeThreats = (agent.activeThreats ?? 0) + 1;
        }
      }
    }
  }
  return result;
}
