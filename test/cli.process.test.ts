import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess, cliProcess } from './support/cli.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/** The installed command (`npx integoreport`: the compiled build in a process of its own), as scripts use it. */
describe('integoreport as a process', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await makeTempDir('ir-cli-process-');
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await removeTempDir(dataDir);
  });

  it('writes a JSON answer of over 200 KB whole through a pipe to a slow reader', async () => {
    // Test emails of a report until the outbox passes 200 KB (send sends a report that exists; it never generates).
    expect((await cliInProcess(['generate', 'Acme'], env)).code).toBe(0);
    let size = 0;
    for (let sent = 0; size < 200_000 && sent < 10; sent += 1) {
      expect((await cliInProcess(['send', 'Acme', '--test-to', `ops${sent}@msp.example`], env)).code).toBe(0);
      size = (await cliInProcess(['sandbox', 'outbox', '--json'], env)).stdout.length;
    }
    expect(size).toBeGreaterThan(200_000);
    const piped = await cliProcess({ shell: '$CLI sandbox outbox --json | { sleep 1; cat; }' }, env);
    expect(piped.stderr).toBe('');
    expect(piped.stdout.length).toBe(size);
    expect(JSON.parse(piped.stdout)).toHaveLength(JSON.parse((await cliInProcess(['sandbox', 'outbox', '--json'], env)).stdout).length);
  }, 60_000);

  it('makes a report with its PDF and sends it in processes of their own, the sandbox keeping what they did', async () => {
    const generated = await cliProcess({ args: ['generate', 'Acme', '--json'] }, env);
    expect(generated, generated.stderr).toMatchObject({ code: 0, stderr: '' });
    const { files, pdfUrl } = JSON.parse(generated.stdout) as { files: { pdf?: string }; pdfUrl?: string };
    expect((await readFile(files.pdf!)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfUrl).toMatch(/\/pdf\?/);
    expect(await cliProcess({ args: ['send', 'Acme', '--test-to', 'process@msp.example'] }, env)).toMatchObject({ code: 0, stderr: '' });
    expect((await cliInProcess(['sandbox', 'outbox', '--json'], env)).stdout).toContain('process@msp.example');
  }, 60_000);

  it('stops quietly when its reader goes away before reading everything', async () => {
    const gone = await cliProcess({ shell: '$CLI help | true; echo "exit $?"; $CLI sandbox outbox --json | head -c 1 >/dev/null' }, env);
    expect(gone).toEqual({ code: 0, stdout: 'exit 0\n', stderr: '' });
  }, 60_000);

  it('exits 0, 1 or 2 with results on stdout and messages on stderr', async () => {
    const bogus = await cliProcess({ args: ['clients', '--bogus'] }, env);
    expect(bogus).toEqual({ code: 2, stdout: '', stderr: `Unknown option '--bogus'. Run "integoreport clients --help" for the usage.\n` });
    const unknown = await cliProcess({ args: ['--json', 'history', 'Nobody', 'Inc'] }, env);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(JSON.parse(unknown.stderr)).toEqual({ error: { code: 'unknown-client', message: expect.stringMatching(/^No client matches "Nobody Inc"/) } });
    const refused = await cliProcess({ args: ['unlink', 'Pied Piper', '--json'] }, env);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(refused.stderr).error).toEqual({ code: 'refused', message: 'Pied Piper is not linked to a Mailchimp contact, so there is nothing to unlink.' });
    const help = await cliProcess({ args: ['help', 'link'] }, env);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('--add');
  }, 60_000);
});
