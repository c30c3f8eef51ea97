import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Imports point down: wiring → surfaces (chat, server, CLI, jobs) → use-cases (app) → domain rooms
 * (freshservice, mailchimp, clients, report, store) → sources, period, config, clock, logger. This reads
 * the import graph of src/ and names every import that runs the other way.
 */

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

type Room = 'wiring' | 'surface' | 'sandbox' | 'app' | 'domain' | 'base';

const DOMAIN_ROOMS = ['freshservice', 'mailchimp', 'clients', 'report', 'store', 'brand', 'pdf', 'sentinelone', 'm365'];
const SURFACE_ROOMS = ['chat', 'server', 'jobs', 'cli'];
/** The data-source contracts (the helpdesk dataset) and periods: read by the pull side and the report alike. */
const BASE_ROOMS = ['sources', 'period'];
const BASE_FILES = ['config.ts', 'approvers.ts', 'clock.ts', 'logger.ts', 'collections.ts', 'png.ts', 'errors.ts', 'pacing.ts', 'text-http.ts', 'package-files.ts'];

/** What each kind of room may import besides rooms of its own kind. */
const MAY_IMPORT: Record<Room, Room[]> = {
  wiring: ['surface', 'sandbox', 'app', 'domain', 'base'],
  surface: ['surface', 'sandbox', 'app', 'domain', 'base'],
  sandbox: ['domain', 'base'],
  app: ['domain', 'base'],
  domain: ['base'],
  base: [],
};

function roomOf(file: string): { room: Room; folder: string } {
  const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, '');
  if (folder === 'compose') return { room: 'wiring', folder };
  if (folder === 'app') return { room: 'app', folder };
  if (DOMAIN_ROOMS.includes(folder)) return { room: 'domain', folder };
  if (folder === 'sandbox') return { room: 'sandbox', folder };
  if (SURFACE_ROOMS.includes(folder)) return { room: 'surface', folder };
  if (BASE_ROOMS.includes(folder) || BASE_FILES.includes(file)) return { room: 'base', folder };
  throw new Error(`src/${file} belongs to no room; add it to test/layout.test.ts`);
}

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [path.relative(SRC, full).split(path.sep).join('/')] : [];
  });
}

/** Every relative import (static, dynamic, `export … from`, type-only) as "from -> to", paths under src/. */
function importGraph(): Array<{ from: string; to: string }> {
  return sourceFiles().flatMap((from) => {
    const info = ts.preProcessFile(readFileSync(path.join(SRC, from), 'utf8'), true, true);
    return info.importedFiles
      .map((reference) => reference.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => {
        const target = path.join(path.dirname(path.join(SRC, from)), specifier.replace(/\.js$/, '.ts'));
        return { from, to: path.relative(SRC, target).split(path.sep).join('/') };
      });
  });
}

const graph = importGraph();

describe('the layout of src/', () => {
  it('reads a graph that covers every room', () => {
    const folders = new Set(graph.flatMap((edge) => [roomOf(edge.from).folder, roomOf(edge.to).folder]));
    for (const folder of [...DOMAIN_ROOMS, ...BASE_ROOMS, 'app', 'chat', 'server', 'sandbox', 'compose']) expect(folders, folder).toContain(folder);
    expect(graph).toContainEqual({ from: 'freshservice/puller.ts', to: 'period/period.ts' });
  });

  it('has every import pointing down: no domain room reaches the use-cases, surfaces or wiring', () => {
    const upward = graph
      .filter(({ from, to }) => {
        const source = roomOf(from);
        const target = roomOf(to);
        return source.room !== target.room && !MAY_IMPORT[source.room].includes(target.room);
      })
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(upward).toEqual([]);
  });

  it('keeps the report and the pull side apart: they meet only in the helpdesk dataset of src/sources', () => {
    const between = graph
      .filter(({ from, to }) => (from.startsWith('freshservice/') && to.startsWith('report/')) || (from.startsWith('report/') && to.startsWith('freshservice/')))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(between).toEqual([]);
    expect(graph).toContainEqual({ from: 'report/metrics.ts', to: 'sources/helpdesk.ts' });
    expect(graph).toContainEqual({ from: 'freshservice/puller.ts', to: 'sources/helpdesk.ts' });
  });

  it('keeps one list of period forms and one trailing-period rule, in src/period', () => {
    const periodUsers = graph.filter(({ to }) => to === 'period/forms.ts').map(({ from }) => from);
    expect(periodUsers).toEqual(expect.arrayContaining(['app/commands.ts', 'cli/arguments.ts', 'chat/views/builders.ts']));
  });
});

describe('files the code reads beside itself', () => {
  it('are found through packagePath, never by climbing from a module: the command line runs bundled, from another depth', () => {
    const climbing = sourceFiles()
      .filter((file) => file !== 'package-files.ts')
      .filter((file) => /import\.meta\.(url|dirname)[^;\n]*['"`]\.\.(\/|['"`])|['"`]\.\.\/[^'"`]*['"`]\s*,\s*import\.meta\.url/.test(readFileSync(path.join(SRC, file), 'utf8')));
    // The build step that makes the bundle runs from dist/compose/ and is never bundled itself.
    expect(climbing).toEqual(['compose/bundle-cli.ts']);
  });
});
