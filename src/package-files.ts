import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The project's own folder: the nearest one above this module that holds package.json. Found rather than
 * fixed, because this module runs from src/ (tests, development), from dist/ (the build) and from the
 * command line's bundle (dist/bundle/), each at its own depth.
 */
function packageRoot(): string {
  if (root) return root;
  const here = fileURLToPath(import.meta.url);
  let folder = path.dirname(here);
  while (!existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`No package.json in any folder above ${here}`);
    folder = parent;
  }
  return (root = folder);
}

/** A file or folder the project ships beside its code (templates/, cards/, manifest/…), wherever it is installed. */
export function packagePath(...segments: string[]): string {
  return path.join(packageRoot(), ...segments);
}
