import { promises as fs } from 'node:fs';
import { systemClock, type Clock } from '../clock.js';
import { startFreshserviceSandbox, type FreshserviceSandbox } from './freshservice/server.js';
import { startMailchimpSandbox, type MailchimpSandbox } from './mailchimp/server.js';
import type { SandboxControls } from './types.js';
import type { SandboxAccountMode } from './freshservice/workspaces.js';
import { startSentinelOneSandbox, type SentinelOneControls, type SentinelOneSandbox } from './sentinelone/server.js';
import { sentinelOneWorldOf } from './sentinelone/world.js';
import { sandboxDir, sandboxFiles } from './paths.js';
import { startM365Sandbox, type M365Controls, type M365Sandbox } from './m365/server.js';
import { seedM365Tenants } from './m365/world.js';
import { seedWorld, type SandboxWorld, type WorldProfile } from './world/world.js';
import { firstTicketCreatedMs, readStoredWorld, writeStoredWorld } from './world/stored-world.js';

export { startFreshserviceSandbox, type FreshserviceSandbox } from './freshservice/server.js';
export { FIRST_CLIENT_WORKSPACE_ID, type AccountLayout, type SandboxAccountMode, type SandboxWorkspace } from './freshservice/workspaces.js';
export { SANDBOX_RESET_PATH, readSandboxOutbox, startMailchimpSandbox, type FailableOperation, type FailureMode, type MailchimpSandbox, type OutboxEmail } from './mailchimp/server.js';
export { HOSTILE_SUBJECTS, LINKING_CASES, monthStartUtc, seedWorld, type IncidentSpike, type LinkingSituation, type SandboxWorld, type WorldProfile } from './world/world.js';
export { createRng, type Rng } from './rng.js';
export { startSentinelOneSandbox, DEFAULT_SENTINELONE_SANDBOX_TOKEN, type SentinelOneControls, type SentinelOneSandbox } from './sentinelone/server.js';
export { seedSentinelOneWorld, UNMAPPED_SENTINELONE_CLIENTS, type SentinelOneWorld } from './sentinelone/world.js';
export { startM365Sandbox, DEFAULT_M365_SANDBOX_APP, type GraphPermission, type M365Controls, type M365Sandbox } from './m365/server.js';
export { seedM365Tenants, CLIENTS_WITHOUT_TENANT, CLIENT_NOT_CONSENTED, type SandboxTenant } from './m365/world.js';
export { drawSampleLogo, writeSampleLogo } from './brand-logo.js';
export type { RecordedRequest, SandboxAudienceMember, SandboxControls } from './types.js';

export interface Sandbox {
  freshservice: FreshserviceSandbox;
  mailchimp: MailchimpSandbox;
  sentinelone: SentinelOneSandbox;
  m365: M365Sandbox;
  close(): Promise<void>;
}

export interface SandboxOptions {
  dataDir: string;
  clock?: Clock;
  /** Knobs for both simulators (the rate-limit window fields only matter to Freshservice). */
  controls?: Partial<SandboxControls>;
  /** How the simulated Freshservice account is organised: `esm` (default, departments) or `msp` (client workspaces). */
  freshserviceMode?: SandboxAccountMode;
  /** The simulated audience's name, which the footer of every email it sends shows (the MSP's, not ours). */
  audienceName?: string;
  /** Overrides `controls` for Mailchimp, e.g. to inject faults into Freshservice only. */
  mailchimpControls?: Partial<SandboxControls>;
  sentinelOneControls?: Partial<SentinelOneControls>;
  m365Controls?: Partial<M365Controls>;
  /** Used only when the world is seeded (first start, or after resetSandbox). */
  profile?: Partial<WorldProfile>;
  seed?: number;
  /** Defaults to the clock's now at first seed. */
  anchor?: Date;
}

export { sandboxDir, sandboxFiles } from './paths.js';

/** Loads the world kept in DATA_DIR/sandbox (its tickets read when first needed), or seeds it (and saves it atomically) on first use. */
export async function loadOrSeedWorld(options: Pick<SandboxOptions, 'dataDir' | 'clock' | 'profile' | 'seed' | 'anchor'>): Promise<SandboxWorld> {
  const stored = await readStoredWorld(options.dataDir);
  if (stored) return stored;
  const world = seedWorld({
    anchor: options.anchor ?? (options.clock ?? systemClock).now(),
    seed: options.seed,
    profile: options.profile,
  });
  await writeStoredWorld(options.dataDir, world);
  return world;
}

/** Starts the simulated Freshservice and Mailchimp APIs on 127.0.0.1 over one persisted world. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const world = await loadOrSeedWorld(options);
  // SentinelOne and Microsoft 365 are derived at their first request, from the clients as they are now.
  const clients = { seed: world.seed, anchor: world.anchor, departments: structuredClone(world.departments) };
  const firstTicket = firstTicketCreatedMs(world);
  const freshservice = await startFreshserviceSandbox({ world, clock: options.clock, controls: options.controls, mode: options.freshserviceMode });
  let mailchimp: MailchimpSandbox;
  let sentinelone: SentinelOneSandbox;
  let m365: M365Sandbox;
  try {
    mailchimp = await startMailchimpSandbox({
      members: world.audience.members,
      listId: world.audience.listId,
      listName: options.audienceName,
      stateFile: sandboxFiles(options.dataDir).mailchimp,
      clock: options.clock,
      controls: options.mailchimpControls ?? options.controls,
    });
  } catch (error) {
    await freshservice.close();
    throw error;
  }
  try {
    sentinelone = await startSentinelOneSandbox({ world: () => sentinelOneWorldOf({ ...clients, firstTicketCreatedMs: firstTicket }), controls: options.sentinelOneControls });
  } catch (error) {
    await Promise.all([freshservice.close(), mailchimp.close()]);
    throw error;
  }
  try {
    m365 = await startM365Sandbox({ tenants: () => seedM365Tenants(clients), controls: options.m365Controls });
  } catch (error) {
    await Promise.all([freshservice.close(), mailchimp.close(), sentinelone.close()]);
    throw error;
  }
  return {
    freshservice,
    mailchimp,
    sentinelone,
    m365,
    close: async () => {
      await Promise.all([freshservice.close(), mailchimp.close(), sentinelone.close(), m365.close()]);
    },
  };
}

/** Deletes DATA_DIR/sandbox so the next start seeds a fresh world and a fresh Mailchimp state. */
export async function resetSandbox(dataDir: string): Promise<void> {
  await fs.rm(sandboxDir(dataDir), { recursive: true, force: true });
}
