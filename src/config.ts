import { z } from 'zod';
import dotenv from 'dotenv';
import path from 'node:path';
import { ApproversError, parseApprovers, type Approver } from './approvers.js';
import { UserFacingError } from './errors.js';

/**
 * Raised when settings are missing or malformed: every problem found, one line each, naming the
 * variable and what it expects.
 */
export class ConfigError extends UserFacingError {
  override name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} settings need fixing:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
}

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .pipe(z.string())
  .optional()
  .transform((value) => (value ? value : undefined));

const email = z.string().trim().email();

function optionalInt(min: number, max: number, fallback: number) {
  return optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/)
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional()
      .transform((value) => value ?? fallback),
  );
}

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What each variable expects, shown when it is missing or malformed. */
const expectations: Record<string, string> = {
  FRESHSERVICE_DOMAIN: 'your Freshservice domain: "acme", "acme.freshservice.com" or a full https URL',
  FRESHSERVICE_API_KEY: 'a Freshservice API key (Profile settings → API key)',
  FRESHSERVICE_RATE_WINDOW: 'minute or hour: how your Freshservice account counts its API limit (accounts created before September 2020 count per hour)',
  FRESHSERVICE_WORKSPACE_ID: 'all (every workspace, the default) or the id of one Freshservice workspace, a whole number from 2 up (in MSP mode: one client)',
  FRESHSERVICE_MODE: 'esm (Employee Support Mode: clients are departments) or msp (Freshservice for MSPs: clients are client workspaces); leave it empty to detect it',
  SENTINELONE_URL: 'your SentinelOne console\'s https address, like https://acme.sentinelone.net',
  SENTINELONE_API_TOKEN: 'a SentinelOne API token of a service user with the Viewer role (Settings → Users → Service Users)',
  M365_CLIENT_ID: 'the application (client) id of your multi-tenant Microsoft Entra app, a GUID',
  M365_CLIENT_SECRET: 'a client secret of that app (Certificates & secrets → Client secrets)',
  MAILCHIMP_API_KEY: 'a Mailchimp Marketing API key ending in its data centre, like "0123…-us6"',
  MAILCHIMP_AUDIENCE_ID: 'the id of the Mailchimp audience (list) that holds your client contacts',
  MAILCHIMP_API_URL: 'a full http(s) URL of the Mailchimp Marketing API (only to override the data centre URL)',
  MAILCHIMP_TRANSACTIONAL_KEY: 'a Mailchimp Transactional (Mandrill) API key',
  MAILCHIMP_TRANSACTIONAL_URL: 'a full http(s) URL of the Mailchimp Transactional API',
  MAILCHIMP_STATUS_IF_NEW: 'one of subscribed, pending, transactional',
  REPORT_FROM_NAME: 'the sender name shown on report emails',
  REPORT_REPLY_TO: 'an email address for replies to report emails',
  REPORT_COPY_TO: 'an internal email address that gets a copy of every report',
  SLACK_BOT_TOKEN: 'a Slack bot token starting with "xoxb-"',
  SLACK_SIGNING_SECRET: 'the Slack app signing secret (Basic Information → App Credentials)',
  SLACK_APP_TOKEN: 'a Slack app-level token starting with "xapp-" (Socket Mode)',
  SLACK_API_URL: 'a full http(s) URL ending in "/api/" for the Slack Web API',
  MICROSOFT_APP_ID: 'the bot\'s Microsoft app (client) id, a GUID',
  MICROSOFT_APP_PASSWORD: 'the bot\'s Microsoft app client secret',
  MICROSOFT_APP_TENANT_ID: 'the Microsoft Entra tenant id (GUID) for a single-tenant bot',
  MICROSOFT_APP_TYPE: 'one of SingleTenant, MultiTenant, UserAssignedMSI',
  PUBLIC_BASE_URL: 'the public http(s) URL where this bot is reachable, like https://reports.example.com',
  REPORT_LINK_SECRET: 'a random secret of at least 16 characters used to sign report links',
  REPORT_LINK_TTL_DAYS: 'how many days a report link stays valid, a whole number from 1 to 365',
  TIMEZONE: 'an IANA time zone name, like Europe/Amsterdam or America/New_York',
  DATA_DIR: 'a folder path for IntegoReport\'s data',
  PORT: 'a TCP port number from 1 to 65535',
  HOST: 'the address to listen on: an IP address such as 127.0.0.1, 0.0.0.0 or ::, or a host name',
  APPROVERS: 'a comma-separated list of the people who may send reports and change contacts: slack:U0123ABCD, teams:<AAD object id> or an email address (* for everyone, sandbox mode only)',
  DIGEST_CHANNEL: 'the Slack channel id (like C0123ABCD) where the monthly digest is posted',
  DIGEST_SCHEDULE: 'a cron expression ("0 8 1-3 * *") or "first-working-day 08:00"',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  BRAND_NAME: 'your company name as clients know it, shown on every report',
  BRAND_LOGO: 'a PNG, JPEG or SVG logo: a file path or an https URL',
  BRAND_COLOR: 'a colour as #rrggbb, like #0e7490',
  BRAND_FOOTER: 'one line for the foot of every report, such as your address or phone number',
  BRAND_WEBSITE: 'your website as a full https URL, like https://www.example.com',
  REPORT_PAPER: 'a4 or letter (the default follows TIMEZONE: letter in the Americas and the Philippines, else a4)',
  REPORT_ATTACH_PDF: 'true or false: attach the PDF to report emails (Mailchimp Transactional only)',
  CHROMIUM_PATH: 'the path of a Chromium or Chrome executable, for PDF reports',
  HISTORY_CREDIT_BUDGET: 'how many Freshservice API credits one report may spend fetching older months\' time entries and satisfaction for its year of trends, a whole number from 0 to 100000',
};

/** The brand a new user sees in sandbox mode; its logo is drawn by the sandbox. */
export const SAMPLE_BRAND = Object.freeze({
  name: 'Northwind IT Services',
  color: '#0e7490',
  footer: 'Northwind IT Services · 4 Harbour Lane, Bristol BS1 5TT · +44 117 496 0142',
  website: 'https://northwind-it.example',
});

const DEFAULT_BRAND_COLOR = '#17324d';

/**
 * Zones of the countries that print on US Letter (the United States, Canada, Mexico, Central America and the
 * Caribbean, Chile, Colombia, Venezuela, the Philippines); the rest of South America and everywhere else use A4.
 */
const LETTER_ZONES = /^(America\/(?!(Argentina|Sao_Paulo|Bahia|Belem|Fortaleza|Maceio|Recife|Araguaina|Cuiaba|Campo_Grande|Porto_Velho|Boa_Vista|Manaus|Eirunepe|Rio_Branco|Noronha|Santarem|Lima|Montevideo|Asuncion|La_Paz|Guayaquil|Paramaribo|Cayenne|Guyana|Godthab|Nuuk|Scoresbysund|Danmarkshavn|Thule|Miquelon|Punta_Arenas)\b)|US\/|Canada\/|Mexico\/|Chile\/|Pacific\/Honolulu|Asia\/Manila)/;

/** The paper people in `timezone`'s country print on. */
export function defaultPaper(timezone: string): 'a4' | 'letter' {
  return LETTER_ZONES.test(timezone) ? 'letter' : 'a4';
}

/** About five minutes of a Growth plan's 200 credits a minute; what does not fit is fetched by later reports. */
const HISTORY_CREDIT_BUDGET = 1_000;
/** The sandbox's Freshservice minute lasts a second: enough for a full year of its busiest client at once. */
const SANDBOX_HISTORY_CREDIT_BUDGET = 10_000;


const schema = z.object({
  FRESHSERVICE_DOMAIN: optionalText,
  FRESHSERVICE_API_KEY: optionalText,
  FRESHSERVICE_RATE_WINDOW: optionalText.pipe(z.enum(['minute', 'hour']).optional()),
  FRESHSERVICE_WORKSPACE_ID: optionalText.pipe(
    z
      .union([z.string().regex(/^all$/i).transform((): 'all' => 'all'), z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(2))])
      .default('all'),
  ),
  FRESHSERVICE_MODE: optionalText.pipe(z.enum(['esm', 'msp']).optional()),
  SENTINELONE_URL: optionalText.pipe(z.string().regex(/^https?:\/\/[^\s/]+/i).pipe(z.string().url()).optional()),
  SENTINELONE_API_TOKEN: optionalText,
  M365_CLIENT_ID: optionalText.pipe(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i).optional()),
  M365_CLIENT_SECRET: optionalText,
  MAILCHIMP_API_KEY: optionalText,
  MAILCHIMP_AUDIENCE_ID: optionalText,
  MAILCHIMP_API_URL: optionalText.pipe(z.string().url().optional()),
  MAILCHIMP_TRANSACTIONAL_KEY: optionalText,
  MAILCHIMP_TRANSACTIONAL_URL: optionalText.pipe(z.string().url().optional()),
  MAILCHIMP_STATUS_IF_NEW: optionalText.pipe(z.enum(['subscribed', 'pending', 'transactional']).default('subscribed')),
  REPORT_FROM_NAME: optionalText,
  REPORT_REPLY_TO: optionalText.pipe(email.optional()),
  REPORT_COPY_TO: optionalText.pipe(email.optional()),
  SLACK_BOT_TOKEN: optionalText.pipe(z.string().startsWith('xoxb-').optional()),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(z.string().startsWith('xapp-').optional()),
  SLACK_API_URL: optionalText.pipe(z.string().url().optional()),
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TENANT_ID: optionalText,
  MICROSOFT_APP_TYPE: optionalText.pipe(z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).optional()),
  PUBLIC_BASE_URL: optionalText.pipe(z.string().url().optional()),
  REPORT_LINK_SECRET: optionalText.pipe(z.string().min(16).optional()),
  REPORT_LINK_TTL_DAYS: optionalInt(1, 365, 30),
  TIMEZONE: optionalText.pipe(z.string().refine(isIanaZone).default('UTC')),
  DATA_DIR: optionalText.pipe(z.string().default('./data')),
  PORT: optionalInt(1, 65535, 3978),
  HOST: optionalText.pipe(z.union([z.ipv4(), z.ipv6(), z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i)]).optional()),
  APPROVERS: optionalText,
  DIGEST_CHANNEL: optionalText,
  DIGEST_SCHEDULE: optionalText.pipe(z.string().default('first-working-day 08:00')),
  LOG_LEVEL: optionalText.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  BRAND_NAME: optionalText,
  BRAND_LOGO: optionalText.pipe(z.string().refine((value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^https:\/\/[^\s]+$/i.test(value)).optional()),
  BRAND_COLOR: optionalText.pipe(z.string().regex(/^#[0-9a-f]{6}$/i).optional()),
  BRAND_FOOTER: optionalText.pipe(z.string().max(300).optional()),
  REPORT_PAPER: optionalText.pipe(z.string().transform((value) => value.toLowerCase()).pipe(z.enum(['a4', 'letter'])).optional()),
  REPORT_ATTACH_PDF: optionalText.pipe(z.string().transform((value) => value.toLowerCase()).pipe(z.enum(['true', 'false'])).optional()),
  CHROMIUM_PATH: optionalText,
  HISTORY_CREDIT_BUDGET: optionalText.pipe(z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(0).max(100_000)).optional()),
  BRAND_WEBSITE: optionalText.pipe(z.string().regex(/^https:\/\/[^\s<>"]+$/i).pipe(z.string().url()).optional()),
});

type RawSettings = z.infer<typeof schema>;

export interface FreshserviceSettings {
  /** Base URL up to and including /api/v2, without a trailing slash. */
  baseUrl: string;
  apiKey: string;
}

export interface MailchimpSettings {
  /** Base URL up to and including /3.0, without a trailing slash. */
  baseUrl: string;
  apiKey: string;
  audienceId: string;
  statusIfNew: 'subscribed' | 'pending' | 'transactional';
  transactional?: { baseUrl: string; apiKey: string };
}

/** Where the brand's logo comes from: a file on this computer or a public https address. */
export type BrandLogoSource = { kind: 'file'; path: string } | { kind: 'url'; url: string };

/** The MSP's brand on every client-facing output (emails, web report, PDF). */
export interface BrandSettings {
  name: string;
  /** `#rrggbb`. */
  color: string;
  logo?: BrandLogoSource;
  footer?: string;
  website?: string;
  /** The sandbox's sample brand, whose logo the sandbox draws at start. */
  sample: boolean;
}

export interface Config {
  /** True when no Freshservice or Mailchimp credentials are set: the bot runs against the embedded simulated services. */
  sandbox: boolean;
  /** Undefined in sandbox mode until the sandbox has started and filled it in. */
  freshservice?: FreshserviceSettings;
  /** How the Freshservice account is read, in sandbox mode too (where `mode` also picks how the simulated account is organised). */
  freshserviceAccount: {
    /** How the account counts its API limit; undefined: per minute until its headers say per hour. */
    rateWindow?: 'minute' | 'hour';
    /** Every workspace, or one (an MSP client in MSP mode). */
    workspace: number | 'all';
    /** Employee Support Mode or MSP mode; undefined: detected from the account's workspaces. */
    mode?: 'esm' | 'msp';
  };
  mailchimp?: MailchimpSettings;
  /** Data sources beside the helpdesk; a source without settings adds nothing (in sandbox mode, the simulated ones). */
  sources: { sentinelone?: { url: string; apiToken: string }; m365?: { clientId: string; clientSecret: string; loginUrl?: string; graphUrl?: string } };
  report: {
    fromName: string;
    replyTo: string;
    copyTo?: string;
    linkSecret: string;
    linkTtlDays: number;
  };
  brand: BrandSettings;
  /** Freshservice credits one report may spend on older months' time entries and satisfaction. */
  historyCreditBudget: number;
  pdf: {
    paper: 'a4' | 'letter';
    /** Attach the PDF to report emails (Mailchimp Transactional only). */
    attach: boolean;
    /** CHROMIUM_PATH; undefined: look in the usual places. */
    chromiumPath?: string;
  };
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  teams: { appId?: string; appPassword?: string; tenantId?: string; appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI' };
  publicBaseUrl: string;
  timezone: string;
  dataDir: string;
  port: number;
  /** Where the HTTP server listens: loopback only in sandbox mode unless HOST says otherwise. */
  host: string;
  approvers: Approver[];
  digest: { channel?: string; schedule: string };
  logLevel: RawSettings['LOG_LEVEL'];
  /** Every secret value in this config, for the logger to redact wherever it appears. */
  secrets: string[];
  /** Settings that work but should be written differently, for the start-up log. */
  warnings: string[];
}

/** Accepts "acme", "acme.freshservice.com" or a full URL; returns the API v2 base URL. */
export function freshserviceBaseUrl(domain: string): string {
  const trimmed = domain.trim().replace(/\/+$/, '');
  if (/^https?:\/\//i.test(trimmed)) {
    const url = new URL(trimmed);
    const pathname = url.pathname.replace(/\/+$/, '');
    return `${url.origin}${pathname.endsWith('/api/v2') ? pathname : `${pathname}/api/v2`}`;
  }
  if (!/^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*$/i.test(trimmed)) {
    throw new ConfigError([`FRESHSERVICE_DOMAIN "${trimmed}" is not valid: expected ${expectations.FRESHSERVICE_DOMAIN}`]);
  }
  const host = trimmed.includes('.') ? trimmed : `${trimmed}.freshservice.com`;
  return `https://${host}/api/v2`;
}

/** The Marketing API base URL from the key's data-centre suffix ("…-us6" → https://us6.api.mailchimp.com/3.0). */
export function mailchimpBaseUrl(apiKey: string): string {
  const match = /-([a-z]+\d+)$/.exec(apiKey.trim());
  if (!match) {
    throw new ConfigError([
      'MAILCHIMP_API_KEY has no data-centre suffix: expected a key ending in "-us6" or similar, as shown in Mailchimp (Account → Extras → API keys)',
    ]);
  }
  return `https://${match[1]}.api.mailchimp.com/3.0`;
}

/** The problems found so far, at most one per variable. */
class Problems {
  private readonly byVariable = new Map<string, string>();

  add(variable: string, text: string): void {
    if (!this.byVariable.has(variable)) this.byVariable.set(variable, text);
  }

  has(variable: string): boolean {
    return this.byVariable.has(variable);
  }

  /** Runs `check`, keeping the problem a ConfigError it throws names. */
  collect<T>(variable: string, check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.add(variable, error.message);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.byVariable.size > 0) throw new ConfigError([...this.byVariable.values()]);
  }
}

function requireTogether(raw: Partial<RawSettings>, names: Array<keyof RawSettings>, problems: Problems): void {
  const present = names.filter((name) => raw[name] !== undefined);
  if (present.length === 0 || present.length === names.length) return;
  for (const missing of names.filter((name) => raw[name] === undefined)) {
    problems.add(missing, `${missing} is missing: expected ${expectations[missing]} (needed because ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} set)`);
  }
}

/** Each variable checked on its own, so that one bad value does not hide the next. */
function parseEach(env: Record<string, string | undefined>, problems: Problems): Partial<RawSettings> {
  const raw: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const checked = (field as z.ZodType).safeParse(env[name]);
    if (checked.success) {
      raw[name] = checked.data;
      continue;
    }
    const value = env[name];
    const shown = value === undefined || value.trim() === '' ? 'is missing' : 'is not valid';
    problems.add(name, `${name} ${shown}: expected ${expectations[name] ?? checked.error.issues[0]?.message}`);
  }
  return raw as Partial<RawSettings>;
}

/**
 * Reads every setting once from `env` (by default process.env plus `.env`) and validates it.
 * Throws ConfigError listing every problem, one line each, naming the variable and what it expects.
 */
export function loadConfig(env: Record<string, string | undefined> = readEnvironment()): Config {
  const problems = new Problems();
  const parsed = parseEach(env, problems);
  const freshserviceNames: Array<keyof RawSettings> = ['FRESHSERVICE_DOMAIN', 'FRESHSERVICE_API_KEY'];
  const mailchimpNames: Array<keyof RawSettings> = ['MAILCHIMP_API_KEY', 'MAILCHIMP_AUDIENCE_ID'];
  const sandbox = [...freshserviceNames, ...mailchimpNames].every((name) => parsed[name] === undefined);
  if (!sandbox) requireTogether(parsed, [...freshserviceNames, ...mailchimpNames], problems);
  requireTogether(parsed, ['MICROSOFT_APP_ID', 'MICROSOFT_APP_PASSWORD'], problems);
  requireTogether(parsed, ['SENTINELONE_URL', 'SENTINELONE_API_TOKEN'], problems);
  requireTogether(parsed, ['M365_CLIENT_ID', 'M365_CLIENT_SECRET'], problems);
  const freshserviceUrl = parsed.FRESHSERVICE_DOMAIN === undefined ? undefined : problems.collect('FRESHSERVICE_DOMAIN', () => freshserviceBaseUrl(parsed.FRESHSERVICE_DOMAIN!));
  const mailchimpUrl =
    parsed.MAILCHIMP_API_KEY === undefined || problems.has('MAILCHIMP_API_URL')
      ? undefined
      : (parsed.MAILCHIMP_API_URL ?? problems.collect('MAILCHIMP_API_KEY', () => mailchimpBaseUrl(parsed.MAILCHIMP_API_KEY!)));
  const linkSecret = parsed.REPORT_LINK_SECRET ?? (sandbox ? 'sandbox-report-link-secret' : undefined);
  if (!linkSecret) problems.add('REPORT_LINK_SECRET', `REPORT_LINK_SECRET is missing: expected ${expectations.REPORT_LINK_SECRET}`);
  if (!sandbox && parsed.REPORT_REPLY_TO === undefined) problems.add('REPORT_REPLY_TO', `REPORT_REPLY_TO is missing: expected ${expectations.REPORT_REPLY_TO}`);
  const appType = parsed.MICROSOFT_APP_TYPE ?? (parsed.MICROSOFT_APP_TENANT_ID || parsed.MICROSOFT_APP_ID ? 'SingleTenant' : 'MultiTenant');
  if (appType === 'SingleTenant' && parsed.MICROSOFT_APP_ID && !parsed.MICROSOFT_APP_TENANT_ID) {
    problems.add('MICROSOFT_APP_TENANT_ID', `MICROSOFT_APP_TENANT_ID is missing: expected ${expectations.MICROSOFT_APP_TENANT_ID} (set MICROSOFT_APP_TYPE=MultiTenant for a multi-tenant bot)`);
  }
  let approvers: ReturnType<typeof parseApprovers> | undefined;
  try {
    approvers = parseApprovers(parsed.APPROVERS ?? (sandbox ? '*' : ''), { sandbox });
  } catch (error) {
    if (!(error instanceof ApproversError)) throw error;
    problems.add('APPROVERS', `APPROVERS ${error.message}`);
  }
  problems.throwIfAny();
  const raw = parsed as RawSettings;

  const port = raw.PORT;
  const publicBaseUrl = (raw.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const brand = brandSettings(raw, sandbox);

  const config: Config = {
    sandbox,
    freshservice: sandbox
      ? undefined
      : { baseUrl: freshserviceUrl!, apiKey: raw.FRESHSERVICE_API_KEY! },
    freshserviceAccount: { rateWindow: raw.FRESHSERVICE_RATE_WINDOW, workspace: raw.FRESHSERVICE_WORKSPACE_ID, mode: raw.FRESHSERVICE_MODE },
    mailchimp: sandbox
      ? undefined
      : {
          baseUrl: mailchimpUrl!.replace(/\/+$/, ''),
          apiKey: raw.MAILCHIMP_API_KEY!,
          audienceId: raw.MAILCHIMP_AUDIENCE_ID!,
          statusIfNew: raw.MAILCHIMP_STATUS_IF_NEW,
          transactional: raw.MAILCHIMP_TRANSACTIONAL_KEY
            ? {
                apiKey: raw.MAILCHIMP_TRANSACTIONAL_KEY,
                baseUrl: (raw.MAILCHIMP_TRANSACTIONAL_URL ?? 'https://mandrillapp.com/api/1.0').replace(/\/+$/, ''),
              }
            : undefined,
        },
    sources: {
      sentinelone: raw.SENTINELONE_URL && raw.SENTINELONE_API_TOKEN ? { url: raw.SENTINELONE_URL, apiToken: raw.SENTINELONE_API_TOKEN } : undefined,
      m365: raw.M365_CLIENT_ID && raw.M365_CLIENT_SECRET ? { clientId: raw.M365_CLIENT_ID, clientSecret: raw.M365_CLIENT_SECRET } : undefined,
    },
    report: {
      fromName: raw.REPORT_FROM_NAME ?? brand.name,
      replyTo: raw.REPORT_REPLY_TO ?? (sandbox ? 'reports@sandbox-msp.example' : ''),
      copyTo: raw.REPORT_COPY_TO ?? (sandbox ? 'reports@sandbox-msp.example' : undefined),
      linkSecret: linkSecret!,
      linkTtlDays: raw.REPORT_LINK_TTL_DAYS,
    },
    brand,
    historyCreditBudget: raw.HISTORY_CREDIT_BUDGET ?? (sandbox ? SANDBOX_HISTORY_CREDIT_BUDGET : HISTORY_CREDIT_BUDGET),
    pdf: {
      paper: raw.REPORT_PAPER ?? defaultPaper(raw.TIMEZONE),
      attach: raw.REPORT_ATTACH_PDF === 'true',
      chromiumPath: raw.CHROMIUM_PATH ? path.resolve(raw.CHROMIUM_PATH) : undefined,
    },
    slack: {
      botToken: raw.SLACK_BOT_TOKEN,
      signingSecret: raw.SLACK_SIGNING_SECRET,
      appToken: raw.SLACK_APP_TOKEN,
      apiUrl: raw.SLACK_API_URL,
    },
    teams: {
      appId: raw.MICROSOFT_APP_ID,
      appPassword: raw.MICROSOFT_APP_PASSWORD,
      tenantId: raw.MICROSOFT_APP_TENANT_ID,
      appType,
    },
    publicBaseUrl,
    timezone: raw.TIMEZONE,
    dataDir: path.resolve(raw.DATA_DIR),
    port,
    host: raw.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0'),
    approvers: approvers!.approvers,
    digest: { channel: raw.DIGEST_CHANNEL, schedule: raw.DIGEST_SCHEDULE },
    logLevel: raw.LOG_LEVEL,
    secrets: [],
    warnings: approvers!.warnings,
  };
  if (config.pdf.attach && !config.sandbox && !config.mailchimp?.transactional) {
    config.warnings.push('REPORT_ATTACH_PDF=true needs Mailchimp Transactional (MAILCHIMP_TRANSACTIONAL_KEY); campaign emails link to the PDF instead of attaching it');
  }
  config.secrets = [
    raw.FRESHSERVICE_API_KEY,
    raw.MAILCHIMP_API_KEY,
    raw.MAILCHIMP_TRANSACTIONAL_KEY,
    raw.SENTINELONE_API_TOKEN,
    raw.M365_CLIENT_SECRET,
    raw.SLACK_BOT_TOKEN,
    raw.SLACK_SIGNING_SECRET,
    raw.SLACK_APP_TOKEN,
    raw.MICROSOFT_APP_PASSWORD,
    raw.REPORT_LINK_SECRET,
  ].filter((value): value is string => typeof value === 'string' && value.length >= 4);
  return config;
}

/** BRAND_* as set; in sandbox mode with none of them set, the sample brand. The sender name defaults to the brand's. */
function brandSettings(raw: RawSettings, sandbox: boolean): BrandSettings {
  const anySet = [raw.BRAND_NAME, raw.BRAND_LOGO, raw.BRAND_COLOR, raw.BRAND_FOOTER, raw.BRAND_WEBSITE].some((value) => value !== undefined);
  if (sandbox && !anySet) return { ...SAMPLE_BRAND, sample: true };
  const logo: BrandLogoSource | undefined = raw.BRAND_LOGO
    ? /^https:\/\//i.test(raw.BRAND_LOGO) ? { kind: 'url', url: raw.BRAND_LOGO } : { kind: 'file', path: path.resolve(raw.BRAND_LOGO) }
    : undefined;
  return {
    name: raw.BRAND_NAME ?? raw.REPORT_FROM_NAME ?? 'IntegoReport',
    color: (raw.BRAND_COLOR ?? DEFAULT_BRAND_COLOR).toLowerCase(),
    logo,
    footer: raw.BRAND_FOOTER,
    website: raw.BRAND_WEBSITE,
    sample: false,
  };
}

/** process.env with `.env` (in the working directory) filling in what is not already set. */
export function readEnvironment(): Record<string, string | undefined> {
  const fromFile = dotenv.config({ quiet: true, processEnv: {} }).parsed ?? {};
  return { ...fromFile, ...process.env };
}

export const configVariables = Object.keys(expectations);
