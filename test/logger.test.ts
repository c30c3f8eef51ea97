import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { loadConfig } from '../src/config.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  const config = loadConfig({
    FRESHSERVICE_DOMAIN: 'acme',
    FRESHSERVICE_API_KEY: 'fsKEYvalue987',
    MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us6',
    MAILCHIMP_AUDIENCE_ID: 'abc123',
    REPORT_REPLY_TO: 'service@msp.example',
    REPORT_LINK_SECRET: 'link-signing-secret-42',
    SLACK_BOT_TOKEN: 'xoxb-111-222-abcdef',
    SLACK_SIGNING_SECRET: 'slacksigningsecret000',
    MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001',
    MICROSOFT_APP_PASSWORD: 'teams~password~value',
    MICROSOFT_APP_TENANT_ID: '00000000-0000-0000-0000-000000000002',
  });

  it('redacts every configured secret wherever it appears', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ secrets: config.secrets, destination });
    logger.info(
      {
        request: { url: 'https://acme.freshservice.com/api/v2/tickets', headers: { Authorization: 'Basic ZnNLRVl2YWx1ZTk4NzpY' } },
        mailchimp: { auth: { username: 'any', password: config.mailchimp!.apiKey } },
        note: `retrying with fsKEYvalue987 and ${config.teams.appPassword}`,
        list: ['xoxb-111-222-abcdef', { signingSecret: 'slacksigningsecret000' }],
        link: 'http://localhost:3978/reports/1?exp=1&sig=deadbeef',
      },
      'Slack token xoxb-111-222-abcdef and key fsKEYvalue987 in the message',
    );
    logger.error({ err: new Error('Mailchimp said no to 0123456789abcdef0123456789abcdef-us6') }, 'failed');
    const output = lines.join('');
    for (const secret of [...config.secrets, 'ZnNLRVl2YWx1ZTk4NzpY', 'deadbeef']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[redacted]');
    expect(output).toContain('https://acme.freshservice.com/api/v2/tickets');
  });

  it('keeps ordinary fields readable', () => {
    const { lines, destination } = capture();
    createLogger({ secrets: config.secrets, destination }).info({ client: 'Acme Corporation', tickets: 512 }, 'pulled');
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ client: 'Acme Corporation', tickets: 512, msg: 'pulled', level: 30 });
  });
});
