import type { BrandSettings } from '../config.js';
import type { Logger } from '../logger.js';
import type { ReportBrand } from '../report/brand.js';
import type { HostedLogo } from './hosted-logo.js';
import { loadLogo, logoDataUri, LogoError, type LogoImage } from './logo.js';

export { createHostedLogo, type HostedLogo, type HostedLogoDeps } from './hosted-logo.js';
export { LogoError, sniffLogo } from './logo.js';

/** A logo at an https address is fetched again after this long; a file is read for every report. */
const URL_LOGO_TTL_MS = 60 * 60_000;

export interface BrandDeps {
  settings: BrandSettings;
  /** Where report emails get their logo from; without it, emails show the brand name. */
  hostedLogo?: HostedLogo;
  now(): Date;
  logger: Logger;
}

export interface Brand {
  /** The brand for the next report, logo included when it can be read (a problem is logged once and the logo left out). */
  forReport(): Promise<ReportBrand>;
  /** Reads a logo file now, so a wrong BRAND_LOGO stops start-up; an https logo is only fetched by the first report. */
  check(): Promise<void>;
}

export function createBrand(deps: BrandDeps): Brand {
  const { settings, logger } = deps;
  const reported = new Set<string>();
  let fetched: { logo: LogoImage; at: number } | undefined;

  function reportOnce(message: string, error?: unknown): void {
    if (reported.has(message)) return;
    reported.add(message);
    logger.warn({ err: error }, message);
  }

  async function currentLogo(): Promise<LogoImage | undefined> {
    const source = settings.logo;
    if (!source) return undefined;
    const now = deps.now().getTime();
    if (source.kind === 'url' && fetched && now - fetched.at < URL_LOGO_TTL_MS) return fetched.logo;
    try {
      const logo = await loadLogo(source);
      if (source.kind === 'url') fetched = { logo, at: now };
      return logo;
    } catch (error) {
      if (!(error instanceof LogoError)) throw error;
      // A logo that worked before stays in use while its address is unreachable.
      if (fetched) return fetched.logo;
      reportOnce(`${error.message} Reports are made without a logo until it is fixed.`);
      return undefined;
    }
  }

  async function emailAddress(logo: LogoImage): Promise<string | undefined> {
    if (!deps.hostedLogo) return undefined;
    try {
      return await deps.hostedLogo.urlFor(logo);
    } catch (error) {
      reportOnce(`The brand logo could not be uploaded to the Mailchimp File Manager (${error instanceof Error ? error.message : String(error)}); report emails show the brand name instead until a later report uploads it.`, error);
      return undefined;
    }
  }

  return {
    async forReport() {
      const logo = await currentLogo();
      const email = logo ? await emailAddress(logo) : undefined;
      return {
        name: settings.name,
        color: settings.color,
        ...(settings.footer ? { footer: settings.footer } : {}),
        ...(settings.website ? { website: settings.website } : {}),
        ...(logo ? { logo: { web: logoDataUri(logo), ...(email ? { email } : {}) } } : {}),
      };
    },
    async check() {
      if (settings.logo?.kind === 'file') await loadLogo(settings.logo);
    },
  };
}
