import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/compose/cli.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';
import { readAudit } from '../src/store/audit.js';
import { monthStartUtc, type SandboxWorld } from '../src/sandbox/index.js';

interface Captured {
  code: number;
  out: string;
  err: string;
}

describe('integoreport CLI on the sandbox', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await makeTempDir('ir-cli-');
    env = { DATA_DIR: dataDir, APPROVERS: 'ops@msp.example', LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await removeTempDir(dataDir);
  });

  async function cli(...argv: string[]): Promise<Captured> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (text) => out.push(text), err: (text) => err.push(text) }, env);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('lists the clients with their link state', async () => {
    const { code, out } = await cli('clients');
    expect(code).toBe(0);
    expect(out).toMatch(/Acme Corporation\s+✔ linked\s+wile\.coyote@acmecorp\.com\s+prime-name/);
    expect(out).toMatch(/Pied Piper\s+\+ to add/);
    const unlinked = JSON.parse((await cli('clients', '--unlinked', '--json')).out) as Array<{ name: string; state: string }>;
    expect(unlinked.map((entry) => entry.name)).toContain('Dunder Mifflin');
    expect(unlinked.every((entry) => entry.state !== 'linked')).toBe(true);
  });

  it('answers an unknown client with the closest names and a bad period with the accepted forms', async () => {
    await expect(cli('pull', 'Umbrela Helth', '2026-10')).resolves.toMatchObject({ code: 0 });
    const pulledFile = async (...words: string[]) => (JSON.parse((await cli('pull', ...words, '--json')).out) as { file: string }).file;
    expect(await pulledFile('Umbrela', 'Helth', 'last', 'month')).toBe(await pulledFile('Umbrela Helth', 'last-month'));
    await expect(cli('generate', '2026-10')).rejects.toThrow('Name the client, e.g. "Acme" or its id.');
    await expect(cli('pull', 'Zzyzx Holdings', '2026-10')).rejects.toThrow(/No client matches "Zzyzx Holdings"\. Closest: /);
    await expect(cli('pull', 'Acme', '2026-13')).rejects.toThrow(
      '"2026-13" is not a period I understand. Use one of: 2026-10, last-month, this-month, 2026-Q3, 2026-07..2026-09, 2026-10-01..2026-10-15',
    );
  });

  it('pulls, generates, sends once and shows the email in the sandbox outbox', async () => {
    const pulled = JSON.parse((await cli('pull', 'Acme', 'last-month', '--json')).out) as { file: string; ticketCount: number; calls: number };
    const world = JSON.parse(await readFile(path.join(dataDir, 'sandbox', 'world.json'), 'utf8')) as SandboxWorld;
    const acme = world.departments.find((department) => department.name === 'Acme Corporation')!;
    const lastMonth = new Date(monthStartUtc(Date.parse(world.anchor), -1)).toISOString().slice(0, 7);
    const createdLastMonth = world.tickets.filter((t) => t.department_id === acme.id && !t.spam && !t.deleted && t.created_at.startsWith(lastMonth)).length;
    expect(createdLastMonth).toBeGreaterThan(30);
    expect(pulled.ticketCount).toBeGreaterThanOrEqual(createdLastMonth);
    expect(pulled.file).toContain(path.join(dataDir, 'datasets'));

    await cli('generate', 'Acme', 'last-month');
    const regenerated = JSON.parse((await cli('generate', 'Acme', 'last-month', '--json')).out) as { id: string; freshserviceCalls: number; files: { pdf?: string }; pdfProblem?: string };
    expect(regenerated.id).toMatch(/-v2$/);
    if (existsSync('/usr/bin/chromium')) expect((await readFile(regenerated.files.pdf!)).subarray(0, 5).toString()).toBe('%PDF-');
    else expect(regenerated.pdfProblem).toMatch(/^no Chromium or Chrome was found/);
    expect(regenerated.freshserviceCalls).toBeLessThanOrEqual(3);

    const metrics = await cli('metrics', '--input', pulled.file, '--as-of', '2026-11-25T00:00:00Z', '--json');
    const parsed = JSON.parse(metrics.out) as { tickets: { created: number }; sla: { mode: string } };
    expect(parsed.tickets.created).toBe(createdLastMonth);
    expect(parsed.sla.mode).toBe('due-by');

    // The command line acts with the data folder's full rights; --as records on whose behalf, beside the OS user.
    const sent = await cli('send', 'Acme', 'last-month', '--as', 'ops@msp.example');
    expect(sent).toMatchObject({ code: 0, out: expect.stringMatching(/^Sent to wile\.coyote@acmecorp\.com, reports@sandbox-msp\.example/) });
    const again = await cli('send', 'Acme', 'last-month');
    expect(again.out).toMatch(/^Already sent/);
    await cli('generate', 'Acme', 'last-month');
    const afterNewerDraft = await cli('send', 'Acme', 'last-month', '--as', 'ops@msp.example');
    expect(afterNewerDraft.out).toMatch(/^Already sent/);
    const audit = (await readAudit(dataDir, { action: 'report.send' })).map((entry) => entry.actor);
    const operator = os.userInfo().username;
    expect(audit).toEqual([
      { platform: 'cli', id: 'ops@msp.example', name: 'ops@msp.example', osUser: operator },
      { platform: 'cli', id: operator, name: operator, osUser: operator },
      { platform: 'cli', id: 'ops@msp.example', name: 'ops@msp.example', osUser: operator },
    ]);

    const outbox = JSON.parse((await cli('sandbox', 'outbox', '--json')).out) as Array<{ kind: string; subject: string; to: string[] }>;
    const clientEmails = outbox.filter((email) => email.kind !== 'test' && email.subject.includes('Acme Corporation'));
    expect(clientEmails).toHaveLength(1);
    expect(clientEmails[0]!.to).toContain('wile.coyote@acmecorp.com');

    const history = await cli('history', 'Acme');
    expect(history.out).toMatch(/sent .* by ops@msp\.example/);
  });

  it('prints the metrics of a hand-made dataset exactly', async () => {
    const file = path.join(dataDir, 'tiny.json');
    await writeFile(
      file,
      JSON.stringify({
        schemaVersion: 1,
        client: { id: 1, name: 'Tiny' },
        period: { from: '2026-10-01T00:00:00+00:00', to: '2026-11-01T00:00:00+00:00' },
        timezone: 'UTC',
        pulledAt: '2026-11-02T00:00:00Z',
        statusLabels: { '2': 'Open', '4': 'Resolved' },
        tickets: [
          {
            id: 1, subject: 'Printer', status: 4, priority: 2, type: 'Incident', category: 'Printing', department_id: 1,
            requester_id: 1, responder_id: 1, group_id: null, created_at: '2026-10-05T10:00:00Z', updated_at: '2026-10-05T12:00:00Z',
            due_by: '2026-10-06T10:00:00Z', fr_due_by: '2026-10-05T11:00:00Z', custom_fields: {},
            stats: { first_responded_at: '2026-10-05T10:30:00Z', resolved_at: '2026-10-05T12:00:00Z', closed_at: null },
            time_entries: [{ id: 1, created_at: '2026-10-05T12:00:00Z', updated_at: '2026-10-05T12:00:00Z', start_time: null, timer_running: false, billable: true, time_spent: '01:30', executed_at: '2026-10-05T11:00:00Z', task_id: null, note: null, agent_id: 1 }],
            csat_response: null,
          },
        ],
      }),
    );
    const { out } = await cli('metrics', '--input', file, '--as-of', '2026-11-02T00:00:00Z', '--json');
    expect(JSON.parse(out)).toMatchObject({
      tickets: { created: 1, resolved: 1, open: 0, resolvedInPeriod: 1, openAtEnd: 0 },
      firstResponse: { count: 1, meanSeconds: 1800, medianSeconds: 1800, p90Seconds: 1800 },
      resolution: { count: 1, medianSeconds: 7200 },
      sla: { mode: 'due-by', firstResponse: { met: 1, missed: 0, pending: 0, percent: 100 } },
      time: { entries: 1, hours: 1.5, billableHours: 1.5 },
    });
  });

  it('refuses a mistaken call with one line', async () => {
    await expect(cli('frobnicate')).rejects.toThrow('Unknown command "frobnicate". Run "integoreport help" for the list.');
    await expect(cli('metrics')).rejects.toThrow('metrics needs --input <dataset.json>.');
    const missing = path.join(dataDir, 'missing.json');
    await expect(cli('metrics', '--input', missing)).rejects.toThrow(`There is no dataset file ${missing}.`);
    expect((await cli('help')).out).toMatch(/^Usage: integoreport <command>/);
  });
});
