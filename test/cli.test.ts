import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';
import { cliInProcess } from './support/cli.js';
import { readAudit } from '../src/store/audit.js';
import { loadOrSeedWorld, monthStartUtc, type SandboxAudienceMember, type SandboxWorld } from '../src/sandbox/index.js';

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

  const cli = (...argv: string[]) => cliInProcess(argv, env);

  it('lists the clients with their link state', async () => {
    const { code, stdout, stderr } = await cli('clients');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/Acme Corporation\s+✔ linked\s+wile\.coyote@acmecorp\.com\s+prime-name/);
    expect(stdout).toMatch(/Pied Piper\s+\+ to add/);
    const unlinked = JSON.parse((await cli('clients', '--unlinked', '--json')).stdout) as Array<{ name: string; state: string }>;
    expect(unlinked.map((entry) => entry.name)).toContain('Dunder Mifflin');
    expect(unlinked.every((entry) => entry.state !== 'linked')).toBe(true);
    expect((await cli('--json', 'clients', '--unlinked')).stdout, 'flags before the command too').toBe(JSON.stringify(unlinked, null, 2) + '\n');
  });

  it('answers an unknown client with the closest names and a bad period with the accepted forms: exit 2, stderr only', async () => {
    await expect(cli('pull', 'Umbrela Helth', '2026-10')).resolves.toMatchObject({ code: 0 });
    const pulledFile = async (...words: string[]) => (JSON.parse((await cli('pull', ...words, '--json')).stdout) as { file: string }).file;
    expect(await pulledFile('Umbrela', 'Helth', 'last', 'month')).toBe(await pulledFile('Umbrela Helth', 'last-month'));

    expect(await cli('generate', '2026-10')).toEqual({ code: 2, stdout: '', stderr: 'Name the client, e.g. "Acme" or its id.\n' });
    const unknown = await cli('pull', 'Zzyzx Holdings', '2026-10');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^No client matches "Zzyzx Holdings"\. Closest: .+\.\n$/);
    expect(await cli('pull', 'Acme', '2026-13')).toEqual({
      code: 2,
      stdout: '',
      stderr: '"2026-13" is not a period I understand. Use one of: 2026-10, last-month, this-month, 2026-Q3, 2026-07..2026-09, 2026-10-01..2026-10-15\n',
    });
    expect(await cli('generate', 'Acme', '2027-01')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'January 2027 has not begun yet (it starts on 1 January 2027); a report covers time that has passed.\n',
    });
    const asJson = await cli('generate', 'Zzyzx', '--json');
    expect(asJson).toMatchObject({ code: 2, stdout: '' });
    expect(JSON.parse(asJson.stderr)).toEqual({ error: { code: 'unknown-client', message: expect.stringMatching(/^No client matches "Zzyzx"/) } });
  });

  it('pulls, generates, sends once and shows the email in the sandbox outbox', async () => {
    const pulled = JSON.parse((await cli('pull', 'Acme', 'last-month', '--json')).stdout) as { file: string; ticketCount: number; calls: number };
    const world = await loadOrSeedWorld({ dataDir });
    const acme = world.departments.find((department) => department.name === 'Acme Corporation')!;
    const lastMonth = new Date(monthStartUtc(Date.parse(world.anchor), -1)).toISOString().slice(0, 7);
    const createdLastMonth = world.tickets.filter((t) => t.department_id === acme.id && !t.spam && !t.deleted && t.created_at.startsWith(lastMonth)).length;
    expect(createdLastMonth).toBeGreaterThan(30);
    expect(pulled.ticketCount).toBeGreaterThanOrEqual(createdLastMonth);
    expect(pulled.file).toContain(path.join(dataDir, 'datasets'));

    await cli('generate', 'Acme', 'last-month');
    const regenerated = JSON.parse((await cli('generate', 'Acme', 'last-month', '--json')).stdout) as { id: string; freshserviceCalls: number; viewUrl: string; files: { pdf?: string }; pdfProblem?: string };
    expect(regenerated.id).toMatch(/-v2$/);
    if (existsSync('/usr/bin/chromium')) expect((await readFile(regenerated.files.pdf!)).subarray(0, 5).toString()).toBe('%PDF-');
    else expect(regenerated.pdfProblem).toMatch(/^no Chromium or Chrome was found/);
    expect(regenerated.freshserviceCalls).toBeLessThanOrEqual(3);
    expect(regenerated.viewUrl, 'with no bot running and no PUBLIC_BASE_URL, links name the port the bot would use').toMatch(/^http:\/\/localhost:3978\/reports\//);

    const metrics = await cli('metrics', '--input', pulled.file, '--as-of', '2026-11-25T00:00:00Z', '--json');
    const parsed = JSON.parse(metrics.stdout) as { tickets: { created: number }; sla: { mode: string } };
    expect(parsed.tickets.created).toBe(createdLastMonth);
    expect(parsed.sla.mode).toBe('due-by');

    // send never generates: a period without a report is refused, and nothing is emailed.
    const noReport = await cli('send', 'Initech', 'last-month');
    expect(noReport).toMatchObject({ code: 1, stdout: '' });
    expect(noReport.stderr).toMatch(/^There is no \w+ \d{4} report for Initech yet: generate it first with "integoreport generate Initech \d{4}-\d{2}", check it, then send it\.\n$/);

    // The command line acts with the data folder's full rights; --as records on whose behalf, beside the OS user.
    const sent = await cli('send', 'Acme', 'last-month', '--as', 'ops@msp.example');
    expect(sent).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Sent to wile\.coyote@acmecorp\.com, reports@sandbox-msp\.example/) });
    const again = await cli('send', 'Acme', 'last-month');
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toMatch(/^\w+ \d{4} went to wile\.coyote@acmecorp\.com on \d{1,2} \w{3} \d{4} by ops@msp\.example\. Add --resend to send it again, as a second email\. No figure changed since\.\n$/);
    const newer = await cli('generate', 'Acme', 'last-month');
    expect(newer.stdout).toMatch(/went to wile\.coyote@acmecorp\.com on .+ by ops@msp\.example\. Sending it again is a second email \(send --resend\)\./);
    expect(await cli('send', 'Acme', 'last-month', '--as', 'ops@msp.example')).toMatchObject({ code: 1, stderr: expect.stringContaining('Add --resend') });
    const resent = await cli('send', 'Acme', 'last-month', '--resend', '--as', 'ops@msp.example');
    expect(resent).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Sent to wile\.coyote@acmecorp\.com/) });
    const actors = async (action: string) => (await readAudit(dataDir, { action })).map((entry) => entry.actor);
    const operator = os.userInfo().username;
    expect(await actors('report.send')).toEqual([{ platform: 'cli', id: 'ops@msp.example', name: 'ops@msp.example', osUser: operator }]);
    expect(await actors('report.resend')).toEqual([{ platform: 'cli', id: 'ops@msp.example', name: 'ops@msp.example', osUser: operator }]);

    const outbox = JSON.parse((await cli('sandbox', 'outbox', '--json')).stdout) as Array<{ kind: string; subject: string; to: string[] }>;
    const clientEmails = outbox.filter((email) => email.kind !== 'test' && email.subject.includes('Acme Corporation'));
    expect(clientEmails, 'the first send and the one sent again on purpose').toHaveLength(2);
    expect(outbox.some((email) => email.subject.includes('Initech'))).toBe(false);
    expect(clientEmails[0]!.to).toContain('wile.coyote@acmecorp.com');

    const history = await cli('history', 'Acme');
    expect(history.stdout).toMatch(/sent .* by ops@msp\.example/);
  }, 120_000);

  it('prints the metrics of a hand-made dataset exactly with --json, and readably without', async () => {
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
    const { stdout } = await cli('metrics', '--input', file, '--as-of', '2026-11-02T00:00:00Z', '--json');
    expect(JSON.parse(stdout)).toMatchObject({
      tickets: { created: 1, resolved: 1, open: 0, resolvedInPeriod: 1, openAtEnd: 0 },
      firstResponse: { count: 1, meanSeconds: 1800, medianSeconds: 1800, p90Seconds: 1800 },
      resolution: { count: 1, medianSeconds: 7200 },
      sla: { mode: 'due-by', firstResponse: { met: 1, missed: 0, pending: 0, percent: 100 } },
      time: { entries: 1, hours: 1.5, billableHours: 1.5 },
    });
    const readable = await cli('metrics', '--as-of', '2026-11-02T00:00:00Z', '--input', file);
    expect(readable.code).toBe(0);
    expect(readable.stdout).not.toContain('{');
    expect(readable.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Tiny: 2026-10-01T00:00:00\+00:00 to 2026-11-01T00:00:00\+00:00 \(UTC\)$/),
        expect.stringMatching(/^ {2}Tickets created +1 \(1 resolved, 0 open, 0 proactive\)$/),
        expect.stringMatching(/^ {2}First response +median 30 min, mean 30 min, 90 % within 30 min$/),
        expect.stringMatching(/^ {2}SLA first reply \(due-by\) +100 %: 1 met, 0 missed, 0 pending$/),
        expect.stringMatching(/^ {2}Time logged +1\.5 h \(1\.5 h billable, 1 entries\)$/),
      ]),
    );

    const truncated = path.join(dataDir, 'truncated.json');
    await writeFile(truncated, (await readFile(file, 'utf8')).slice(0, 200));
    const broken = await cli('metrics', '--input', truncated);
    expect(broken).toMatchObject({ code: 1, stdout: '' });
    expect(broken.stderr).toMatch(new RegExp(`^Data file ${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON \\(.+\\)\\. Nothing was written to it`));
  });

  it('links a client typed in one word or several, quoted or not, and adds a contact to the audience with --add', async () => {
    const hooli = await cli('link', 'Hooli', 'zoe.muller@outlook.com', '--json');
    expect(hooli).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(hooli.stdout)).toMatchObject({ name: 'Hooli', state: 'linked', email: 'zoe.muller@outlook.com', via: 'manual' });
    expect(JSON.parse((await cli('--json', 'unlink', 'Hooli')).stdout)).toMatchObject({ name: 'Hooli', state: 'to-add' });
    expect((await cli('link', 'Hooli', 'zoe.muller@outlook.com')).stdout).toBe('Hooli is now linked to zoe.muller@outlook.com.\n');

    expect(await cli('link', 'Tyrell', 'Corp', 'mbluth@gmail.com')).toEqual({ code: 0, stdout: 'Tyrell Corp is now linked to mbluth@gmail.com.\n', stderr: '' });
    expect((await cli('unlink', 'Tyrell Corp')).stdout).toBe('Tyrell Corp was unlinked from mbluth@gmail.com. Now: ! problem eldon.tyrell@tyrellcorp.com.\n');

    const piedPiper = (JSON.parse((await cli('clients', '--json')).stdout) as Array<{ name: string; contactToAdd?: { email: string } }>).find((entry) => entry.name === 'Pied Piper')!;
    const missing = await cli('link', 'Pied Piper', piedPiper.contactToAdd!.email, '--json');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(missing.stderr).error).toMatchObject({ code: 'refused', message: expect.stringContaining('is not in the Mailchimp audience') });
    const added = await cli('link', '--add', 'Pied Piper', piedPiper.contactToAdd!.email);
    expect(added).toEqual({ code: 0, stdout: `Pied Piper is now linked to ${piedPiper.contactToAdd!.email}, added to the audience.\n`, stderr: '' });
    const mailchimp = JSON.parse(await readFile(path.join(dataDir, 'sandbox', 'mailchimp.json'), 'utf8')) as { members: SandboxAudienceMember[] };
    const member = mailchimp.members.find((entry) => entry.email_address === piedPiper.contactToAdd!.email);
    expect(member).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'Richard', LNAME: 'Hendricks' }, tags: ['integoreport'] });

    expect(await cli('link', 'Hooli', 'not-an-email', '--json')).toEqual({
      code: 2,
      stdout: '',
      stderr: `${JSON.stringify({ error: { code: 'bad-email', message: '"not-an-email" is not an email address.' } })}\n`,
    });
    const vague = await cli('link', 'corp', 'x@y.com');
    expect(vague).toMatchObject({ code: 2, stdout: '' });
    expect(vague.stderr).toMatch(/^"corp" matches several clients: Acme Corporation \(\d+\), Oscorp \(\d+\), Tyrell Corp \(\d+\)\. Use the full name or the id\.\n$/);
  });

  it('refuses a mistaken call with one line on stderr and exit code 2, naming an unknown flag plainly', async () => {
    expect(await cli('frobnicate')).toEqual({ code: 2, stdout: '', stderr: `Unknown command 'frobnicate'. Run "integoreport help" for the usage.\n` });
    expect(await cli('generate', 'Acme', '--bogus')).toEqual({ code: 2, stdout: '', stderr: `Unknown option '--bogus'. Run "integoreport generate --help" for the usage.\n` });
    expect(await cli('metrics')).toEqual({ code: 2, stdout: '', stderr: `Required option '--input <dataset.json>' not specified. Run "integoreport metrics --help" for the usage.\n` });
    const missing = path.join(dataDir, 'missing.json');
    expect(await cli('metrics', '--input', missing, '--json')).toEqual({
      code: 2,
      stdout: '',
      stderr: `${JSON.stringify({ error: { code: 'no-such-file', message: `There is no dataset file ${missing}.` } })}\n`,
    });
    expect(await cli('link', 'Acme', '--as')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^Option '--as <who>' argument missing\./) });

    const help = await cli('help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: integoreport \[options\] \[command\]/);
    const generateHelp = await cli('generate', '--help');
    expect(generateHelp).toMatchObject({ code: 0, stderr: '' });
    expect(generateHelp.stdout).toMatch(/^Usage: integoreport generate \[options\] <client> \[period\]/);
    expect((await cli()).code).toBe(2);
  });
});

describe('names from Freshservice on the terminal', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await makeTempDir('ir-cli-escape-');
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    await cliInProcess(['sandbox', 'outbox'], env);
    await cliInProcess(['clients'], env);
    // A department renamed in the simulated Freshservice to carry terminal escape sequences, then synced.
    const file = path.join(dataDir, 'sandbox', 'world.json');
    const world = JSON.parse(await readFile(file, 'utf8')) as SandboxWorld;
    world.departments.find((department) => department.name === 'Globex')!.name = 'Globex\u001b[2J\u001b[H\u001b]0;pwned\u0007 \u009b31mLtd\r\b';
    await writeFile(file, JSON.stringify(world));
    expect((await cliInProcess(['sync'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await removeTempDir(dataDir);
  });

  it('never prints a control character, as text or as JSON', async () => {
    const table = await cliInProcess(['clients'], env);
    expect(table.stdout).toContain('Globex Ltd');
    const json = await cliInProcess(['clients', '--json'], env);
    expect(JSON.parse(json.stdout).map((entry: { name: string }) => entry.name)).toContain('Globex\u001b[2J\u001b[H\u001b]0;pwned\u0007 \u009b31mLtd\r\b');
    const report = await cliInProcess(['generate', 'Globex'], env);
    expect(report.stdout).toContain('Globex Ltd');
    for (const output of [table, json, report]) {
      expect(output.stdout + output.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
  }, 120_000);
});
