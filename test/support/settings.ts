/** Settings of a bot that talks to real Freshservice and Mailchimp (none of it is ever reached in tests). */
export const REAL_SERVICES: Readonly<Record<string, string>> = Object.freeze({
  FRESHSERVICE_DOMAIN: 'acme',
  FRESHSERVICE_API_KEY: 'fs-key-123456',
  MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us6',
  MAILCHIMP_AUDIENCE_ID: 'abc123',
  REPORT_REPLY_TO: 'service@msp.example',
  REPORT_LINK_SECRET: 'a-long-enough-secret',
});
