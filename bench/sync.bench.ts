import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { openDirectoryStore } from '../src/clients/directory-store.js';
import { freshserviceDirectorySource, syncDirectory } from '../src/clients/sync.js';
import { fixedClock } from '../src/clock.js';
import { createFreshservice } from '../src/freshservice/index.js';
import { silentLogger } from '../src/logger.js';
import { createMailchimpHttp } from '../src/mailchimp/http.js';
import { createMailchimpMembers } from '../src/mailchimp/members.js';
import { startFreshserviceSandbox, startMailchimpSandbox, seedWorld } from '../src/sandbox/index.js';

const ANCHOR = new Date('2026-11-20T12:00:00Z');
const DEPARTMENTS = 500;
const AUDIENCE = 20_000;
const LATENCY_MS = 5;
const CREDITS_PER_MINUTE = 200;
const TIME_SCALE = 1000;

/**
 * The prototype's directory sync, replayed: departments listed at the default page size, then one
 * detail call per department and one lookup per prime and head user, and the audience 100 per page,
 * all one after another.
 */
async function prototypeSync(freshservice: { baseUrl: string; apiKey: string }, mailchimp: { baseUrl: string; apiKey: string; audienceId: string }): Promise<void> {
  const fs = axios.create({ baseURL: freshservice.baseUrl, auth: { username: freshservice.apiKey, password: 'X' } });
  const departmentIds: number[] = [];
  for (let page = 1; ; page += 1) {
    const { data } = await fs.get<{ departments: Array<{ id: number }> }>('/departments', { params: { page } });
    departmentIds.push(...data.departments.map((department) => department.id));
    if (data.departments.length < 30) break;
  }
  for (const id of departmentIds) {
    const { data } = await fs.get<{ department: { prime_user_id: number | null; head_user_id: number | null } }>(`/departments/${id}`);
    for (const userId of [data.department.prime_user_id, data.department.head_user_id]) {
      if (userId) await fs.get(`/requesters/${userId}`);
    }
  }
  const mc = axios.create({ baseURL: mailchimp.baseUrl, auth: { username: 'anystring', password: mailchimp.apiKey } });
  for (let offset = 0; ; offset += 100) {
    const { data } = await mc.get<{ members: unknown[]; total_items: number }>(`/lists/${mailchimp.audienceId}/members`, { params: { count: 100, offset } });
    if (offset + 100 >= data.total_items) break;
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const clock = fixedClock(ANCHOR.toISOString());
  const world = seedWorld({ anchor: ANCHOR, profile: { departments: DEPARTMENTS, audienceMembers: AUDIENCE, months: 1 } });
  // A Growth-plan account whose minute lasts 60 ms: its limits (sub-limits included) never bind at this latency.
  const controls = { timeScale: TIME_SCALE, latencyMs: LATENCY_MS };
  const freshservice = await startFreshserviceSandbox({ world, clock, controls });
  const mailchimp = await startMailchimpSandbox({ members: world.audience.members, listId: world.audience.listId, clock, controls });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'integoreport-sync-bench-'));
  console.log(`sync.setup departments=${world.departments.length} requesters=${world.requesters.length} audience=${world.audience.members.length} latency=${LATENCY_MS}ms`);

  try {
    const ourFreshservice = createFreshservice({ baseUrl: freshservice.baseUrl, apiKey: freshservice.apiKey, dataDir, clock, logger: silentLogger, rateLimit: { minuteMs: 60_000 / TIME_SCALE } });
    const http = createMailchimpHttp({ baseUrl: mailchimp.baseUrl, apiKey: mailchimp.apiKey, logger: silentLogger });
    const oursStarted = performance.now();
    const summary = await syncDirectory({
      store: openDirectoryStore(dataDir),
      source: freshserviceDirectorySource(ourFreshservice.directory),
      audience: createMailchimpMembers(http, mailchimp.audienceId),
      clock,
      logger: silentLogger,
    });
    const oursMs = performance.now() - oursStarted;
    const ours = { freshservice: freshservice.requests.length, credits: freshservice.creditsUsed(), mailchimp: mailchimp.requests.length, ms: Math.round(oursMs) };

    freshservice.resetRequests();
    mailchimp.resetRequests();
    const prototypeStarted = performance.now();
    await prototypeSync(freshservice, mailchimp);
    const prototypeMs = performance.now() - prototypeStarted;
    const prototype = { freshservice: freshservice.requests.length, mailchimp: mailchimp.requests.length, ms: Math.round(prototypeMs) };

    const mailchimpGoal = Math.ceil(AUDIENCE / 1000);
    const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(1));
    const minutesAtLimit = (calls: number) => (calls / CREDITS_PER_MINUTE).toFixed(2);
    console.log(`sync.result clients=${summary.clients} members=${summary.members} linked=${summary.linked}`);
    console.log(`sync.mailchimp.calls ours=${ours.mailchimp} prototype=${prototype.mailchimp} goal<=${mailchimpGoal}+few ratio=${ratio(prototype.mailchimp, ours.mailchimp)}`);
    console.log(`sync.freshservice.calls ours=${ours.freshservice} prototype=${prototype.freshservice} ratio=${ratio(prototype.freshservice, ours.freshservice)}`);
    console.log(`sync.freshservice.minutes_at_200_credits_per_min ours=${minutesAtLimit(ours.credits)} prototype=${minutesAtLimit(prototype.freshservice)}`);
    console.log(`sync.wall_ms ours=${ours.ms} prototype=${prototype.ms} ratio=${ratio(prototype.ms, ours.ms)}`);
    return {
      departments: DEPARTMENTS,
      audience: AUDIENCE,
      ours,
      prototype,
      mailchimpGoal,
      linked: summary.linked,
    };
  } finally {
    await Promise.all([freshservice.close(), mailchimp.close()]);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
