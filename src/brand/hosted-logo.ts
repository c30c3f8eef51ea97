import path from 'node:path';
import type { Logger } from '../logger.js';
import type { HostedFile } from '../mailchimp/files.js';
import { z } from 'zod';
import { JsonStore } from '../store/json-store.js';
import type { LogoImage } from './logo.js';

/** One upload of a logo: which source file it was made from, where Mailchimp keeps it. */
interface HostedLogoRecord {
  account: string;
  /** SHA-256 of the logo file as configured (an SVG's, not its PNG's): a new file means a new upload. */
  sourceSha256: string;
  fileId: number;
  url: string;
  uploadedAt: string;
}

/** What `brand/hosted-logos.json` must hold. */
export const HOSTED_LOGOS_SCHEMA = z.looseObject({
  uploads: z.array(z.looseObject({ account: z.string(), sourceSha256: z.string(), fileId: z.number().int(), url: z.string() })),
});

export interface HostedLogoDeps {
  dataDir: string;
  /** Which Mailchimp account the uploads belong to; another account uploads afresh. */
  account: string;
  upload(file: { name: string; content: Buffer }): Promise<HostedFile>;
  /** The uploaded file as Mailchimp has it now, or undefined when it was deleted there. */
  lookup(fileId: number): Promise<HostedFile | undefined>;
  /** A PNG of an SVG logo (mail clients show no SVG); undefined when none can be made. */
  rasterize?(svg: Buffer): Promise<Buffer | undefined>;
  now(): Date;
  logger: Logger;
}

export interface HostedLogo {
  /** The public address of the logo for emails, uploaded once per logo file; undefined when there is none. */
  urlFor(logo: LogoImage): Promise<string | undefined>;
}

/**
 * The email's logo in Mailchimp's File Manager (emails can only show public images). Uploaded once and
 * remembered in DATA_DIR/brand/hosted-logos.json; uploaded again only when the logo file changes, or when the
 * upload is gone from Mailchimp. Each process checks a remembered upload once (its address can change).
 */
export function createHostedLogo(deps: HostedLogoDeps): HostedLogo {
  const store = new JsonStore<{ uploads: HostedLogoRecord[] }>(path.join(deps.dataDir, 'brand', 'hosted-logos.json'), () => ({ uploads: [] }), HOSTED_LOGOS_SCHEMA);
  const checked = new Map<string, Promise<string | undefined>>();

  async function resolve(logo: LogoImage): Promise<string | undefined> {
    const remembered = (await store.read()).uploads.find((upload) => upload.account === deps.account && upload.sourceSha256 === logo.sha256);
    if (remembered) {
      const current = await deps.lookup(remembered.fileId);
      if (current) return current.url;
      deps.logger.info({ fileId: remembered.fileId }, 'The brand logo is no longer in the Mailchimp File Manager; uploading it again');
    }
    const upload = await emailImage(logo);
    if (!upload) return undefined;
    const hosted = await deps.upload(upload);
    await store.update((data) => {
      data.uploads = data.uploads.filter((record) => record.account !== deps.account);
      data.uploads.push({ account: deps.account, sourceSha256: logo.sha256, fileId: hosted.id, url: hosted.url, uploadedAt: deps.now().toISOString() });
    });
    deps.logger.info({ fileId: hosted.id, url: hosted.url }, 'Uploaded the brand logo to the Mailchimp File Manager for report emails');
    return hosted.url;
  }

  async function emailImage(logo: LogoImage): Promise<{ name: string; content: Buffer } | undefined> {
    if (logo.mediaType !== 'image/svg+xml') return { name: logo.fileName, content: logo.bytes };
    const png = await deps.rasterize?.(logo.bytes);
    if (!png) {
      deps.logger.warn('The brand logo is an SVG, which Gmail and Outlook do not show, and no PNG could be made of it without Chromium; report emails show the brand name instead. Use a PNG logo, or make Chromium available.');
      return undefined;
    }
    return { name: logo.fileName.replace(/\.svg$/, '.png'), content: png };
  }

  return {
    urlFor(logo) {
      let pending = checked.get(logo.sha256);
      if (!pending) {
        pending = resolve(logo);
        checked.set(logo.sha256, pending);
        // A failed upload is tried again by the next report.
        pending.catch(() => checked.delete(logo.sha256));
      }
      return pending;
    },
  };
}
