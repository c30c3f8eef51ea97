/**
 * The build's last step (`npm run build`, after tsc): the compiled command line bundled by esbuild into
 * dist/bundle/, its dependencies included. A command then loads a few dozen files instead of well over a
 * thousand modules, about a tenth of a second less at every start. Commands still load only what they use:
 * each dynamic import becomes a chunk of its own, and `cli-early` (what starts before the rest) stays small.
 * Beside the bundle go the printing thread's entry (found next to the module that starts it) and the
 * precompiled report templates (likewise). playwright-core, juice and ajv stay in node_modules: they are
 * loaded on first use through `require`, which esbuild leaves alone.
 */
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { build, type Plugin } from 'esbuild';
import { PRECOMPILED_FILE } from '../report/templates.js';

const dist = path.resolve(import.meta.dirname, '..');
const bundle = path.join(dist, 'bundle');

/**
 * zod's error messages in English only: its other forty-odd languages are a third of a megabyte that every
 * command would parse at start, and IntegoReport speaks English.
 */
const zodInEnglishOnly: Plugin = {
  name: 'zod-in-english-only',
  setup(builder) {
    const english = createRequire(import.meta.url).resolve('zod/v4/locales/en.js');
    builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`) ? { path: 'zod-locales', namespace: 'zod-in-english-only' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'zod-in-english-only' }, () => ({ contents: `export { default as en } from ${JSON.stringify(english)};`, resolveDir: path.dirname(english) }));
  },
};

// Chunk names carry a hash of their content: a new build starts from an empty folder.
await rm(bundle, { recursive: true, force: true });
await build({
  entryPoints: {
    cli: path.join(dist, 'compose', 'cli.js'),
    'cli-early': path.join(dist, 'compose', 'cli-early.js'),
    'printer-thread': path.join(dist, 'pdf', 'printer-thread.js'),
  },
  outdir: bundle,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '[name]-[hash]',
  // CommonJS dependencies inside an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  plugins: [zodInEnglishOnly],
  logLevel: 'warning',
});
await copyFile(path.join(dist, 'report', PRECOMPILED_FILE), path.join(bundle, PRECOMPILED_FILE));
