import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import type { BrandLogoSource } from '../config.js';
import { UserFacingError } from '../errors.js';

export type LogoMediaType = 'image/png' | 'image/jpeg' | 'image/svg+xml';

/** The logo as read: its bytes, what they are, and a fingerprint that changes when the file does. */
export interface LogoImage {
  bytes: Buffer;
  mediaType: LogoMediaType;
  sha256: string;
  /** A file name for uploads: the source's, with the extension its content calls for. */
  fileName: string;
}

/** A logo that cannot be used; the message names the setting and what is wrong. */
export class LogoError extends UserFacingError {
  override name = 'LogoError';
}

/** Larger than any logo needs to be; keeps every report and email small. */
export const LOGO_BYTE_LIMIT = 512 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
const EXTENSIONS: Record<LogoMediaType, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/svg+xml': '.svg' };

/** PNG, JPEG or SVG, by content (never by name); undefined for anything else. */
export function sniffLogo(bytes: Buffer): LogoMediaType | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const head = bytes.subarray(0, 2048).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

/** Reads BRAND_LOGO from its file or https address and checks that it is a PNG, JPEG or SVG of sensible size. */
export async function loadLogo(source: BrandLogoSource): Promise<LogoImage> {
  const where = source.kind === 'file' ? source.path : source.url;
  let bytes: Buffer;
  try {
    bytes = source.kind === 'file' ? await fs.readFile(source.path) : await fetchLogo(source.url);
  } catch (error) {
    if (error instanceof LogoError) throw error;
    const reason = axios.isAxiosError(error)
      ? error.response ? `the server answered HTTP ${error.response.status}` : 'the address could not be reached'
      : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message;
    throw new LogoError(`BRAND_LOGO ${where} could not be read: ${reason}.`);
  }
  if (bytes.length > LOGO_BYTE_LIMIT) throw new LogoError(`BRAND_LOGO ${where} is ${Math.ceil(bytes.length / 1024)} KB; a logo must be at most ${LOGO_BYTE_LIMIT / 1024} KB.`);
  const mediaType = sniffLogo(bytes);
  if (!mediaType) throw new LogoError(`BRAND_LOGO ${where} is not a PNG, JPEG or SVG image.`);
  const base = path.basename(source.kind === 'file' ? source.path : new URL(source.url).pathname).replace(/\.[a-z0-9]+$/i, '').replace(/[^A-Za-z0-9_-]+/g, '-') || 'logo';
  return { bytes, mediaType, sha256: createHash('sha256').update(bytes).digest('hex'), fileName: `${base}${EXTENSIONS[mediaType]}` };
}

async function fetchLogo(url: string): Promise<Buffer> {
  const response = await axios.get<ArrayBuffer>(url, {
    responseType: 'arraybuffer',
    timeout: FETCH_TIMEOUT_MS,
    maxContentLength: LOGO_BYTE_LIMIT + 1,
    maxRedirects: 3,
    headers: { Accept: 'image/png, image/jpeg, image/svg+xml' },
  });
  return Buffer.from(response.data);
}

/** The logo inline, for the web report and the PDF (no request leaves the page, the page's CSP allows data: images). */
export function logoDataUri(logo: LogoImage): string {
  return `data:${logo.mediaType};base64,${logo.bytes.toString('base64')}`;
}
