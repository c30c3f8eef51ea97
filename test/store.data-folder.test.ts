import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_STORES } from '../src/compose/data-folder.js';
import { startBot, type BotProcess } from '../src/compose/bot-process.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { DataFileError } from '../src/store/data-file.js';
import { mirrorIndexFile, mirrorShardFile } from '../src/freshservice/mirror.js';
import { ReportStore } from '../src/store/reports.js';
import { openDirectoryStore } from '../src/clients/directory-store.js';
import { cliInProcess } from './support/cli.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/** Every file under `dir` with its size and modification time, to see that nothing was touched. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: Record<string, string> = {};
  for (const entry of entries.filter((candidate) => candidate.isFile())) {
    const full = path.join(entry.parentPath, entry.name);
    const stat = await fs.stat(full);
    files[path.relative(dir, full)] = `${stat.size}@${stat.mtimeMs}`;
  }
  return files;
}

/** The good content of a store that does not exist yet in a fresh data folder: its empty shape. */
const EMPTY_SHAPES: Record<string, string> = {
  'contracts.json': '{"contracts":[]}',
  'source-maps.json': '{"maps":[]}',
  'conversations.json': '{"conversations":{}}',
  'digests.json': '{"digests":{}}',
  'jobs.json': '{"runs":[]}',
  [path.join('brand', 'hosted-logos.json')]: '{"uploads":[]}',
};

/** What can be wrong with a store's file: the wrong kind of JSON, its fields null, or cut short. */
function brokenVersionsOf(good: string): Array<{ what: string; content: string }> {
  const nullFields = Object.fromEntries(Object.keys(JSON.parse(good) as object).map((key) => [key, null]));
  return [
    { what: '[]', content: '[]' },
    { what: '{}', content: '{}' },
    { what: 'null fields', content: JSON.stringify(nullFields) },
    { what: 'truncated', content: good.slice(0, Math.floor(good.length / 2)) },
  ];
}

describe('the data folder is validated, never guessed', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await makeTempDir('ir-data-folder-');
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    // A report already sent, so every store the command line writes has content (send never generates).
    expect((await cliInProcess(['generate', 'Acme'], env)).code).toBe(0);
    expect((await cliInProcess(['send', 'Acme', '--as', 'ops@msp.example'], env)).code).toBe(0);
    expect((await cliInProcess(['contract', 'Acme', '20'], env)).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await removeTempDir(dataDir);
  });

  it('stops at a store given [], {}, null fields or a truncated file with one line naming it, exit 1, nothing written and no report file touched', async () => {
    const reportsBefore = await snapshot(path.join(dataDir, 'reports'));
    expect(Object.keys(reportsBefore).length).toBeGreaterThan(0);
    for (const store of DATA_STORES) {
      const file = path.join(dataDir, store.file);
      const original = await fs.readFile(file, 'utf8').catch(() => undefined);
      for (const broken of brokenVersionsOf(original ?? EMPTY_SHAPES[store.file]!)) {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, broken.content);
        for (const argv of [['generate', 'Acme', '--json'], ['history', 'Acme']]) {
          const result = await cliInProcess(argv, env);
          const context = `${store.file} as ${broken.what}, ${argv.join(' ')}`;
          expect(result.code, context).toBe(1);
          expect(result.stdout, context).toBe('');
          expect(result.stderr.trimEnd().split('\n'), context).toHaveLength(1);
          const message = argv.includes('--json') ? (JSON.parse(result.stderr) as { error: { code: string; message: string } }).error : { code: 'data-file', message: result.stderr };
          expect(message.code, context).toBe('data-file');
          expect(message.message, context).toContain(`Data file ${file} `);
          expect(await fs.readFile(file, 'utf8'), context).toBe(broken.content);
        }
      }
      if (original === undefined) await fs.rm(file);
      else await fs.writeFile(file, original);
    }
    expect(await snapshot(path.join(dataDir, 'reports'))).toEqual(reportsBefore);
    const history = await cliInProcess(['history', 'Acme'], env);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/-v1/);
  }, 120_000);

  it('stops at a broken ticket-mirror index, or at a shard file it names that is gone, with one line naming it, exit 1, nothing written', async () => {
    const index = mirrorIndexFile(dataDir);
    const original = await fs.readFile(index, 'utf8');
    const shard = mirrorShardFile(dataDir, Object.values((JSON.parse(original) as { shards: Record<string, { file: string }> }).shards)[0]!.file);
    const expectRefused = async (file: string, context: string) => {
      const before = await snapshot(dataDir);
      const result = await cliInProcess(['generate', 'Acme', '--json'], env);
      expect(result.code, context).toBe(1);
      expect(result.stdout, context).toBe('');
      expect(result.stderr.trimEnd().split('\n'), context).toHaveLength(1);
      const message = (JSON.parse(result.stderr) as { error: { code: string; message: string } }).error;
      expect(message.code, context).toBe('data-file');
      expect(message.message, context).toContain(`Data file ${file} `);
      expect(message.message, context).toContain(`delete ${path.join(dataDir, 'mirror')} and the next pull fetches it again`);
      expect(message.message, context).not.toContain('.bak');
      expect(await snapshot(dataDir), context).toEqual(before);
    };
    for (const broken of brokenVersionsOf(original)) {
      await fs.writeFile(index, broken.content);
      await expectRefused(index, `mirror index as ${broken.what}`);
    }
    await fs.writeFile(index, original);
    await fs.rename(shard, `${shard}.away`);
    await expectRefused(shard, 'a shard gone');
    await fs.rename(`${shard}.away`, shard);
    expect((await cliInProcess(['generate', 'Acme', '--json'], env)).code).toBe(0);
  }, 120_000);

  it('never reuses a report id, even when the index has lost it, and never overwrites an earlier report\'s files', async () => {
    const folder = await makeTempDir('ir-report-ids-');
    try {
      const reports = new ReportStore(folder);
      const first = await reports.reserveId(7, '2026-10');
      expect(first).toEqual({ id: '7-2026-10-v1', version: 1 });
      await fs.writeFile(path.join(reports.directoryFor(first.id), 'report.web.html'), 'sent to the client');
      await fs.writeFile(path.join(folder, 'reports.json'), JSON.stringify({ reports: [], versions: {} }));
      expect(await reports.reserveId(7, '2026-10')).toEqual({ id: '7-2026-10-v2', version: 2 });
      expect(await fs.readFile(path.join(reports.directoryFor(first.id), 'report.web.html'), 'utf8')).toBe('sent to the client');
    } finally {
      await removeTempDir(folder);
    }
  });

  it('keeps the previous good version of a store as .bak, and refuses to write over a broken one', async () => {
    const folder = await makeTempDir('ir-store-bak-');
    try {
      const directory = openDirectoryStore(folder);
      await directory.update((data) => {
        data.fixes.push({ clientId: 1, kind: 'email', email: 'a@b.example', by: 'ops', actor: { platform: 'cli', id: 'ops' }, at: '2026-11-01T00:00:00Z' });
      });
      const good = await fs.readFile(directory.file, 'utf8');
      await directory.update((data) => {
        data.fixes.push({ clientId: 2, kind: 'unlink', by: 'ops', actor: { platform: 'cli', id: 'ops' }, at: '2026-11-02T00:00:00Z' });
      });
      expect(await fs.readFile(`${directory.file}.bak`, 'utf8')).toBe(good);
      await fs.writeFile(directory.file, '{}');
      await expect(directory.update((data) => data.fixes.push())).rejects.toThrow(DataFileError);
      await expect(directory.read()).rejects.toThrow(/^Data file .*clients\.json is not in the expected shape: version is missing/);
      expect(await fs.readFile(directory.file, 'utf8')).toBe('{}');
      expect(await fs.readFile(`${directory.file}.bak`, 'utf8')).toBe(good);
    } finally {
      await removeTempDir(folder);
    }
  });
});

describe('/healthz', () => {
  let dataDir: string;
  let bot: BotProcess;

  beforeAll(async () => {
    dataDir = await makeTempDir('ir-healthz-');
    bot = await startBot({ config: loadConfig({ DATA_DIR: dataDir, PUBLIC_BASE_URL: 'http://127.0.0.1', FRESHSERVICE_DOMAIN: 'acme', FRESHSERVICE_API_KEY: 'k', MAILCHIMP_API_KEY: 'k-us6', MAILCHIMP_AUDIENCE_ID: 'a', REPORT_REPLY_TO: 'ops@msp.example', REPORT_LINK_SECRET: 'a-long-enough-secret' }), logger: silentLogger, port: 0, host: '127.0.0.1', jobs: false });
  }, 30_000);
  afterAll(async () => {
    await bot?.close();
    await removeTempDir(dataDir);
  });

  it('answers 503 naming the broken store, and 200 again once it is mended', async () => {
    expect(await (await fetch(`${bot.http.url}/healthz`)).json()).toEqual({ ok: true });
    await fs.writeFile(path.join(dataDir, 'sends.json'), '{"sends": null}');
    const broken = await fetch(`${bot.http.url}/healthz`);
    expect(broken.status).toBe(503);
    expect(await broken.json()).toEqual({ ok: false, problems: [{ store: 'sends.json', problem: expect.stringMatching(/^is not in the expected shape: sends: expected array, received null/) }] });
    await fs.writeFile(path.join(dataDir, 'sends.json'), '{"sends": []}');
    expect((await fetch(`${bot.http.url}/healthz`)).status).toBe(200);
  });

  it('answers 503 naming the ticket mirror\'s index when it is broken', async () => {
    await fs.mkdir(path.dirname(mirrorIndexFile(dataDir)), { recursive: true });
    await fs.writeFile(mirrorIndexFile(dataDir), '{"version": 4, "shards": ');
    const broken = await fetch(`${bot.http.url}/healthz`);
    expect(broken.status).toBe(503);
    expect(await broken.json()).toEqual({ ok: false, problems: [{ store: path.join('mirror', 'index.json'), problem: expect.stringMatching(/^is not valid JSON/) }] });
    await fs.rm(mirrorIndexFile(dataDir));
    expect((await fetch(`${bot.http.url}/healthz`)).status).toBe(200);
  });
});
