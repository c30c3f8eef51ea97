import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Runs every `bench/*.bench.ts` (or the ones named on the command line) and prints their figures. */
const folder = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(folder))
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.includes(name)))
  .sort();

const results: Record<string, unknown> = {};
let failed = false;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  console.log(`\n== ${name}`);
  try {
    const module = (await import(pathToFileURL(path.join(folder, file)).href)) as { run: () => Promise<Record<string, unknown>> };
    results[name] = await module.run();
  } catch (error) {
    failed = true;
    console.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
  }
}
console.log('\n== summary');
console.log(JSON.stringify(results, null, 2));
process.exit(failed ? 1 : 0);
