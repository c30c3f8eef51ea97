import http from 'node:http';
import axios from 'axios';

/**
 * A replay of the prototype's pull, for comparison only: `/tickets/filter` by department and created
 * date (30 per page, over every workspace, a date range split in halves until it fits the filter's ten
 * pages, as the documented API needs), then for every ticket, one after another: the ticket with `include=stats,requester`,
 * its conversations, its time entries and its CSAT response, with the prototype's 0.35 s of sleeps per
 * ticket (divided by `timeScale`, like every other duration in a time-scaled sandbox). It has no shared
 * rate limiter: on a 429 it waits Retry-After and repeats the call.
 */
export async function prototypePull(options: {
  baseUrl: string;
  apiKey: string;
  departmentId: number;
  /** Calendar days (UTC) as the prototype sent them: 'yyyy-mm-dd', both inclusive. */
  firstDay: string;
  lastDay: string;
  timeScale: number;
}): Promise<{ tickets: number; calls: number; credits: number; rateLimited: number; ms: number }> {
  const started = Date.now();
  const api = axios.create({
    baseURL: options.baseUrl,
    auth: { username: options.apiKey, password: 'X' },
    headers: { Accept: 'application/json' },
    httpAgent: new http.Agent({ keepAlive: true }),
    validateStatus: () => true,
  });
  const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / options.timeScale));
  let calls = 0;
  let credits = 0;
  let rateLimited = 0;

  async function get(path: string, params?: Record<string, string | number>): Promise<{ status: number; data: { tickets?: Array<{ id: number }>; total?: number } | undefined }> {
    for (;;) {
      const response = await api.get(path, { params });
      calls += 1;
      credits += Number(response.headers['x-ratelimit-used-currentrequest'] ?? 1);
      if (response.status !== 429) return { status: response.status, data: response.data };
      rateLimited += 1;
      const exactMs = Number(response.headers['x-sandbox-retry-after-ms']);
      await new Promise((resolve) => setTimeout(resolve, Number.isFinite(exactMs) ? exactMs : Number(response.headers['retry-after'] ?? 10) * 1000));
    }
  }

  const ids: number[] = [];
  const DAY_MS = 86_400_000;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  async function collect(firstDay: string, lastDay: string): Promise<void> {
    const query = `"department_id:${options.departmentId} AND created_at:>'${firstDay}' AND created_at:<'${lastDay}'"`;
    for (let page = 1; page <= 10; page += 1) {
      const { data } = await get('/tickets/filter', { query, page, workspace_id: 0 });
      const total = data?.total ?? 0;
      if (page === 1 && total > 300 && firstDay < lastDay) {
        const from = Date.parse(`${firstDay}T00:00:00Z`);
        const middle = from + Math.floor((Date.parse(`${lastDay}T00:00:00Z`) - from) / DAY_MS / 2) * DAY_MS;
        await collect(firstDay, day(middle));
        await collect(day(middle + DAY_MS), lastDay);
        return;
      }
      const tickets = data?.tickets ?? [];
      ids.push(...tickets.map((ticket) => ticket.id));
      if (tickets.length < 30) break;
    }
  }
  await collect(options.firstDay, options.lastDay);

  for (const id of ids) {
    await get(`/tickets/${id}`, { include: 'stats,requester' });
    await sleep(0.1);
    await get(`/tickets/${id}/conversations`);
    await sleep(0.1);
    await get(`/tickets/${id}/time_entries`);
    await sleep(0.1);
    await get(`/tickets/${id}/csat_response`);
    await sleep(0.05);
  }
  return { tickets: ids.length, calls, credits, rateLimited, ms: Date.now() - started };
}
