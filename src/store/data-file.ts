import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { UserFacingError } from '../errors.js';

/**
 * A data file that cannot be trusted: unreadable, not JSON, or not in the shape its store writes.
 * Its message is one line naming the file, what is wrong and what to do (`remedy`: by default, correct it
 * or put back its `.bak`); nothing was written to the file.
 */
export class DataFileError extends UserFacingError {
  override name = 'DataFileError';

  constructor(
    readonly file: string,
    readonly problem: string,
    remedy = `correct it, or put back ${path.basename(file)}.bak (its previous version) if there is one`,
  ) {
    super(`Data file ${file} ${problem}. Nothing was written to it; ${remedy}.`);
  }
}

function pathText(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment)), '');
}

function valueAt(value: unknown, segments: readonly PropertyKey[]): unknown {
  return segments.reduce<unknown>((inner, segment) => (inner !== null && typeof inner === 'object' ? (inner as Record<PropertyKey, unknown>)[segment] : undefined), value);
}

/** The first few schema problems as one phrase: "reports: expected array, received null; versions is missing". */
function describeIssues(value: unknown, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const where = pathText(issue.path) || 'the whole file';
      if (issue.path.length > 0 && valueAt(value, issue.path) === undefined) return `${where} is missing`;
      return `${where}: ${issue.message.replace(/^Invalid input: /, '')}`;
    })
    .join('; ');
}

/** Throws DataFileError unless `value` has the shape `schema` describes. */
export function checkShape(file: string, value: unknown, schema: z.ZodType, remedy?: string): void {
  const checked = schema.safeParse(value);
  if (!checked.success) throw new DataFileError(file, `is not in the expected shape: ${describeIssues(value, checked.error.issues)}`, remedy);
}

/** The file's JSON as it is, or undefined when there is no file; DataFileError when it cannot be read or parsed. */
export async function readJsonData(file: string, remedy?: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new DataFileError(file, `cannot be read (${code ?? (error as Error).message})`, remedy);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DataFileError(file, `is not valid JSON (${(error as Error).message})`, remedy);
  }
}

/**
 * Reads a data file and checks it against its store's schema. Returns the JSON exactly as stored (so
 * fields a newer version added survive a rewrite), or undefined when the file does not exist.
 */
export async function readDataFile<T>(file: string, schema: z.ZodType, remedy?: string): Promise<T | undefined> {
  const value = await readJsonData(file, remedy);
  if (value === undefined) return undefined;
  checkShape(file, value, schema, remedy);
  return value as T;
}

/**
 * Keeps the file's current content as `<file>.bak` before it is replaced: a hard link (no copy), put in
 * place by rename so the backup itself is never half-written. Call it only after the content was read and
 * checked, so the backup is always a good version.
 */
export async function keepBackup(file: string): Promise<void> {
  const staging = `${file}.bak.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.link(file, staging);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP') throw error;
    await fs.copyFile(file, staging);
  }
  await fs.rename(staging, `${file}.bak`);
}
