import { fixedClock } from '../src/clock.js';
import { startFreshserviceSandbox } from '../src/sandbox/freshservice.js';
import { seedWorld } from '../src/sandbox/world.js';
import { prototypePull } from './prototype-pull.js';
const ANCHOR = new Date('2026-11-20T12:00:00Z');
const clock = fixedClock(ANCHOR.toISOString());
const world = seedWorld({ anchor: ANCHOR });
const s = await startFreshserviceSandbox({ world, clock, controls: { rateLimitPerWindow: 200, windowMs: 60000, timeScale: 30, latencyMs: 150 } });
const acme = world.departments.find((d) => d.name === 'Acme Corporation')!;
const t = Date.now();
try {
console.log(await prototypePull({ baseUrl: s.baseUrl, apiKey: s.apiKey, departmentId: acme.id, firstDay: '2026-10-01', lastDay: '2026-10-31', timeScale: 30 }));
} catch (e) { console.log('ERR', (e as Error).message, s.requests.length, s.requests.slice(-3), Date.now() - t); }
await s.close();
