import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, freshserviceBaseUrl, loadConfig, mailchimpBaseUrl } from '../src/config.js';
import { REAL_SERVICES } from './support/settings.js';

const real = REAL_SERVICES;

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('starts in sandbox mode with no Freshservice or Mailchimp credentials', () => {
    const config = loadConfig({});
    expect(config.sandbox).toBe(true);
    expect(config.port).toBe(3978);
    expect(config.timezone).toBe('UTC');
    expect(config.freshservice).toBeUndefined();
  });

  it('uses the real services when their credentials are set', () => {
    const config = loadConfig(real);
    expect(config.sandbox).toBe(false);
    expect(config.freshservice).toEqual({ baseUrl: 'https://acme.freshservice.com/api/v2', apiKey: 'fs-key-123456' });
    expect(config.mailchimp?.baseUrl).toBe('https://us6.api.mailchimp.com/3.0');
    expect(config.secrets).toContain('fs-key-123456');
  });

  it('names the variable and what it expects in one line', () => {
    expect(errorOf({ PORT: 'eighty' })).toBe('PORT is not valid: expected a TCP port number from 1 to 65535');
    expect(errorOf({ TIMEZONE: 'Mars/Olympus' })).toMatch(/^TIMEZONE is not valid: expected an IANA time zone name/);
    expect(errorOf({ ...real, FRESHSERVICE_API_KEY: '' })).toMatch(/^FRESHSERVICE_API_KEY is missing: expected a Freshservice API key/);
    expect(errorOf({ ...real, MAILCHIMP_API_KEY: 'nodatacentre' })).toMatch(/^MAILCHIMP_API_KEY has no data-centre suffix/);
    expect(errorOf({ ...real, REPORT_LINK_SECRET: '' })).toMatch(/^REPORT_LINK_SECRET is missing/);
    expect(errorOf({ SLACK_BOT_TOKEN: 'abc' })).toMatch(/^SLACK_BOT_TOKEN is not valid: expected a Slack bot token starting with "xoxb-"/);
    expect(errorOf({ ...real, REPORT_REPLY_TO: 'not-an-email' })).toMatch(/^REPORT_REPLY_TO is not valid/);
    for (const message of [errorOf({ PORT: '0' }), errorOf({ ...real, MAILCHIMP_AUDIENCE_ID: '' })]) {
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('lists every bad or missing variable at once, each on its own line', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ FRESHSERVICE_DOMAIN: 'not a domain', PORT: 'eighty', TIMEZONE: 'Mars/Olympus', SLACK_BOT_TOKEN: 'abc' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
      expect((error as Error).message.split('\n')).toEqual([`${problems.length} settings need fixing:`, ...problems.map((problem) => `  ${problem}`)]);
    }
    expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(
      ['FRESHSERVICE_API_KEY', 'FRESHSERVICE_DOMAIN', 'MAILCHIMP_API_KEY', 'MAILCHIMP_AUDIENCE_ID', 'PORT', 'REPORT_LINK_SECRET', 'REPORT_REPLY_TO', 'SLACK_BOT_TOKEN', 'TIMEZONE'],
    );
    expect(problems).toContain('FRESHSERVICE_DOMAIN "not a domain" is not valid: expected your Freshservice domain: "acme", "acme.freshservice.com" or a full https URL');
    expect(problems).toContain('PORT is not valid: expected a TCP port number from 1 to 65535');
    expect(problems.find((problem) => problem.startsWith('MAILCHIMP_API_KEY'))).toMatch(/^MAILCHIMP_API_KEY is missing: .* \(needed because FRESHSERVICE_DOMAIN is set\)$/);
  });

  it('accepts a Freshservice domain as a name, a host or a full URL', () => {
    expect(freshserviceBaseUrl('acme')).toBe('https://acme.freshservice.com/api/v2');
    expect(freshserviceBaseUrl('acme.freshservice.com')).toBe('https://acme.freshservice.com/api/v2');
    expect(freshserviceBaseUrl('https://acme.freshservice.com/')).toBe('https://acme.freshservice.com/api/v2');
    expect(freshserviceBaseUrl('http://127.0.0.1:4000/api/v2')).toBe('http://127.0.0.1:4000/api/v2');
    expect(() => freshserviceBaseUrl('acme corp')).toThrow(/FRESHSERVICE_DOMAIN/);
  });

  it('reads how the Freshservice account is organised and counts its limit, and says what it expects otherwise', () => {
    expect(loadConfig(real).freshserviceAccount).toEqual({ rateWindow: undefined, workspace: 'all', mode: undefined });
    expect(loadConfig({ ...real, FRESHSERVICE_RATE_WINDOW: 'hour', FRESHSERVICE_WORKSPACE_ID: ' 12 ', FRESHSERVICE_MODE: 'msp' }).freshserviceAccount).toEqual({
      rateWindow: 'hour',
      workspace: 12,
      mode: 'msp',
    });
    expect(loadConfig({ FRESHSERVICE_WORKSPACE_ID: 'ALL', FRESHSERVICE_MODE: 'esm' }).freshserviceAccount).toMatchObject({ workspace: 'all', mode: 'esm' });
    for (const workspace of ['0', '1', 'two', '2.5']) {
      expect(errorOf({ ...real, FRESHSERVICE_WORKSPACE_ID: workspace })).toBe(
        'FRESHSERVICE_WORKSPACE_ID is not valid: expected all (every workspace, the default) or the id of one Freshservice workspace, a whole number from 2 up (in MSP mode: one client)',
      );
    }
    expect(errorOf({ ...real, FRESHSERVICE_MODE: 'managed' })).toMatch(/^FRESHSERVICE_MODE is not valid: expected esm \(Employee Support Mode: clients are departments\) or msp/);
    expect(errorOf({ ...real, FRESHSERVICE_RATE_WINDOW: 'day' })).toBe(
      'FRESHSERVICE_RATE_WINDOW is not valid: expected minute or hour: how your Freshservice account counts its API limit (accounts created before September 2020 count per hour)',
    );
  });

  it('takes the Mailchimp data centre from the key suffix', () => {
    expect(mailchimpBaseUrl('abc-us21')).toBe('https://us21.api.mailchimp.com/3.0');
    expect(() => mailchimpBaseUrl('abc')).toThrow(ConfigError);
  });

  it('documents every variable in .env.example', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...configVariables].sort());
  });
});

describe('APPROVERS', () => {
  it('reads each entry with the platform that vouches for it', () => {
    const config = loadConfig({ ...real, APPROVERS: 'slack:U0123ABCD, teams:6B1F4E2A-8C3D-4E5F-9A0B-1C2D3E4F5A6B , Alice@MSP.example' });
    expect(config.approvers).toEqual([
      { kind: 'slack', id: 'U0123ABCD' },
      { kind: 'teams', id: '6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b' },
      { kind: 'email', email: 'alice@msp.example' },
    ]);
    expect(config.warnings).toEqual([]);
  });

  it('still reads a bare id by its shape, with a warning that says how to write it', () => {
    const config = loadConfig({ ...real, APPROVERS: 'U0123ABCD,6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b' });
    expect(config.approvers).toEqual([{ kind: 'slack', id: 'U0123ABCD' }, { kind: 'teams', id: '6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b' }]);
    expect(config.warnings).toEqual([
      'APPROVERS entry "U0123ABCD" has no platform; it is read as a Slack user (write slack:U0123ABCD)',
      'APPROVERS entry "6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b" has no platform; it is read as a Teams user\'s AAD object id (write teams:6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b)',
    ]);
  });

  it('allows * (everyone) only in sandbox mode, where it is the default', () => {
    expect(loadConfig({}).approvers).toEqual([{ kind: 'everyone' }]);
    expect(errorOf({ ...real, APPROVERS: '*' })).toMatch(/^APPROVERS "\*" \(everyone\) is only allowed in sandbox mode/);
    expect(loadConfig(real).approvers).toEqual([]);
  });

  it('refuses an entry it cannot read, naming it and the accepted forms', () => {
    expect(errorOf({ ...real, APPROVERS: 'alice@msp.example, bob' })).toBe(
      'APPROVERS entry "bob" is not valid: expected slack:U0123ABCD, teams:<AAD object id>, an email address, or * in sandbox mode',
    );
  });
  it('prints on Letter where people do (TIMEZONE in the US, Canada, Mexico, the Philippines…), else A4, unless REPORT_PAPER says', () => {
    const paper = (env: Record<string, string>) => loadConfig({ ...real, ...env }).pdf.paper;
    expect(paper({ TIMEZONE: 'America/New_York' })).toBe('letter');
    expect(paper({ TIMEZONE: 'America/Mexico_City' })).toBe('letter');
    expect(paper({ TIMEZONE: 'Asia/Manila' })).toBe('letter');
    expect(paper({ TIMEZONE: 'America/Sao_Paulo' })).toBe('a4');
    expect(paper({ TIMEZONE: 'America/Argentina/Buenos_Aires' })).toBe('a4');
    expect(paper({ TIMEZONE: 'Europe/Amsterdam' })).toBe('a4');
    expect(paper({})).toBe('a4');
    expect(paper({ TIMEZONE: 'Europe/Amsterdam', REPORT_PAPER: 'Letter' })).toBe('letter');
    expect(errorOf({ ...real, REPORT_PAPER: 'A3' })).toMatch(/^REPORT_PAPER is not valid: expected a4 or letter/);
  });

  it('warns that REPORT_ATTACH_PDF needs Mailchimp Transactional', () => {
    expect(loadConfig({ ...real, REPORT_ATTACH_PDF: 'true' }).warnings).toContain('REPORT_ATTACH_PDF=true needs Mailchimp Transactional (MAILCHIMP_TRANSACTIONAL_KEY); campaign emails link to the PDF instead of attaching it');
    const transactional = loadConfig({ ...real, REPORT_ATTACH_PDF: 'true', MAILCHIMP_TRANSACTIONAL_KEY: 'md-key-123' });
    expect(transactional.pdf.attach).toBe(true);
    expect(transactional.warnings).toEqual([]);
    expect(loadConfig({ ...real, CHROMIUM_PATH: 'bin/chrome' }).pdf.chromiumPath).toMatch(/\/bin\/chrome$/);
  });
});
