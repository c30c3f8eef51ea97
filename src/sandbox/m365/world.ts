/**
 * The simulated Microsoft 365 tenants over the sandbox's clients: one tenant per client except a few (no tenant,
 * or our app not consented there), each with its company domains verified, licences by seat count, daily
 * active users over 180 days, one mailbox a seat and 90 days of Secure Score. Derived from the world, so nothing
 * extra is stored.
 */
import { createHash } from 'node:crypto';
import { createRng } from '../rng.js';
import type { SandboxWorld } from '../world/world.js';

/** Clients without a Microsoft 365 tenant in the sandbox. */
export const CLIENTS_WITHOUT_TENANT = ['Pied Piper', 'Dunder Mifflin', 'Vandelay Industries'];
/** A client whose tenant never consented to the MSP's app: automatic mapping says so. */
export const CLIENT_NOT_CONSENTED = 'Oscorp';

export interface SandboxTenant {
  id: string;
  displayName: string;
  consented: boolean;
  verifiedDomains: Array<{ name: string; isDefault: boolean; isInitial: boolean; type: 'Managed' }>;
  skus: Array<{ skuId: string; skuPartNumber: string; appliesTo: 'User' | 'Company'; capabilityStatus: 'Enabled'; consumedUnits: number; prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number } }>;
  /** Daily active users, oldest first, one entry per day ending the day before the anchor. */
  daily: Array<{ date: string; office365: number; exchange: number; oneDrive: number; sharePoint: number; teams: number }>;
  mailboxes: Array<{ upn: string; storage: number; warningQuota: number; items: number }>;
  /** Daily Secure Score, newest first. */
  scores: Array<{ createdDateTime: string; currentScore: number; maxScore: number }>;
}

function guid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const day = (time: number) => new Date(time).toISOString().slice(0, 10);

export function seedM365Tenants(world: Pick<SandboxWorld, 'seed' | 'anchor' | 'departments'>): SandboxTenant[] {
  const rng = createRng(world.seed ^ 0x3650);
  const anchor = Date.parse(world.anchor);
  const today = Date.UTC(new Date(anchor).getUTCFullYear(), new Date(anchor).getUTCMonth(), new Date(anchor).getUTCDate());
  return world.departments
    .filter((department) => !CLIENTS_WITHOUT_TENANT.includes(department.name) && department.domains.length > 0)
    .map((department) => {
      const seats = Math.max(3, Number(department.custom_fields.seats ?? 12) || 12);
      const initial = `${department.name.toLowerCase().replace(/[^a-z0-9]/g, '')}.onmicrosoft.com`;
      const bought = seats + rng.int(0, 4);
      const daily: SandboxTenant['daily'] = [];
      for (let offset = 181; offset >= 1; offset -= 1) {
        const date = today - offset * 86_400_000;
        const weekday = new Date(date).getUTCDay() % 6 !== 0;
        const share = (weekday ? 0.82 : 0.18) * (0.92 + rng.next() * 0.1);
        const office365 = Math.round(seats * share);
        daily.push({ date: day(date), office365, exchange: Math.round(office365 * 0.97), oneDrive: Math.round(office365 * 0.6), sharePoint: Math.round(office365 * 0.45), teams: Math.round(office365 * 0.88) });
      }
      let score = 40 + rng.int(0, 25);
      const scores: SandboxTenant['scores'] = [];
      for (let offset = 1; offset <= 120; offset += 1) {
        scores.push({ createdDateTime: new Date(today - offset * 86_400_000 + 3 * 3_600_000).toISOString(), currentScore: Math.round(score * 10) / 10 * 3, maxScore: 300 });
        if (rng.chance(0.08)) score = Math.max(20, score - rng.int(1, 3));
      }
      return {
        id: guid(`tenant:${department.name}`),
        displayName: department.name,
        consented: department.name !== CLIENT_NOT_CONSENTED,
        verifiedDomains: [
          ...department.domains.map((name, index) => ({ name: index === 0 ? name[0]!.toUpperCase() + name.slice(1) : name, isDefault: index === 0, isInitial: false, type: 'Managed' as const })),
          { name: initial, isDefault: false, isInitial: true, type: 'Managed' as const },
        ],
        skus: [
          { skuId: guid(`sku:bs:${department.name}`), skuPartNumber: 'O365_BUSINESS_PREMIUM', appliesTo: 'User', capabilityStatus: 'Enabled', consumedUnits: seats - rng.int(0, 2), prepaidUnits: { enabled: bought, suspended: 0, warning: 0, lockedOut: 0 } },
          { skuId: guid(`sku:ex:${department.name}`), skuPartNumber: 'EXCHANGESTANDARD', appliesTo: 'User', capabilityStatus: 'Enabled', consumedUnits: 2, prepaidUnits: { enabled: 3, suspended: 0, warning: 0, lockedOut: 0 } },
          { skuId: guid(`sku:flow:${department.name}`), skuPartNumber: 'FLOW_FREE', appliesTo: 'User', capabilityStatus: 'Enabled', consumedUnits: rng.int(1, 6), prepaidUnits: { enabled: 10000, suspended: 0, warning: 0, lockedOut: 0 } },
        ],
        daily,
        mailboxes: Array.from({ length: seats + 2 }, (_, index) => {
          const warningQuota = 49_000_000_000;
          const storage = index === 0 ? warningQuota + 500_000_000 : Math.round(rng.next() * 12_000_000_000);
          return { upn: `user${index + 1}@${department.domains[0]}`, storage, warningQuota, items: Math.round(storage / 90_000) };
        }),
        scores,
      };
    });
}
