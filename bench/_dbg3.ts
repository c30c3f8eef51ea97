import { fixedClock } from '../src/clock.js';
import { startFreshserviceSandbox } from '../src/sandbox/freshservice.js';
import { seedWorld } from '../src/sandbox/world.js';
import { prototypePull } from './prototype-pull.js';
import { createFreshservice } from '../src/freshservice/index.js';
import { parsePeriod } from '../src/report/period.js';
import os from 'node:os';
const ANCHOR = new Date('2026-11-20T12:00:00Z');
const clock = fixedClock(ANCHOR.toISOString());
const world = seedWorld({ anchor: ANCHOR });
const controls = { rateLimitPerWindow: 200, windowMs: 60000, timeScale: 30, latencyMs: 150 };
const s = await startFreshserviceSandbox({ world: structuredClone(world), clock, controls });
const o = await startFreshserviceSandbox({ world: structuredClone(world), clock, controls });
const acme = world.departments.find((d) => d.name === 'Acme Corporation')!;
const t = Date.now();
const p = null && prototypePull({ baseUrl: s.baseUrl, apiKey: s.apiKey, departmentId: acme.id, firstDay: '2026-10-01', lastDay: '2026-10-31', timeScale: 30 }).catch((e) => { console.log('PROTO ERR', (e as Error).message, (e as any).code, Date.now() - t, s.requests.length); });
const f = createFreshservice({ baseUrl: o.baseUrl, apiKey: o.apiKey, dataDir: os.tmpdir() + '/dbg3-' + Date.now(), clock, rateLimit: { windowMs: 2000, maxConcurrent: 24 }, timeoutMs: 1000 });
try {
const r = await f.puller.pull({ id: acme.id, name: acme.name }, parsePeriod('2026-10', { timezone: 'UTC', now: ANCHOR }), { onProgress: (pr) => { if (pr.phase !== 'enrich' || pr.done % 100 === 0) console.log(Date.now() - t, pr.phase, pr.done, pr.total); } });
console.log('ours', r.calls, r.credits, Date.now() - t, o.requests.filter((q) => q.status === 429).length);
} catch (e) { console.log('OURS ERR', (e as Error).message, Date.now() - t); }
await new Promise((r) => setTimeout(r, 3000));
console.log('proto progress', s.requests.length);
process.exit(0);
