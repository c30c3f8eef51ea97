import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, mailchimpBaseUrl } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createMailchimpHttp, MailchimpError } from '../src/mailchimp/http.js';
import { createMailchimpMembers, subscriberHash } from '../src/mailchimp/members.js';
import { useNock } from './support/nock.js';

const BASE = 'https://us6.api.mailchimp.com/3.0';
const KEY = '0123456789abcdef0123456789abcdef-us6';
const LIST = 'aud123';

function client() {
  const http = createMailchimpHttp({ baseUrl: BASE, apiKey: KEY, logger: silentLogger, retryBaseMs: 1 });
  return { http, members: createMailchimpMembers(http, LIST) };
}

function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return [status, { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title, status, detail, instance: 'abc-123', ...extra }, { 'Content-Type': 'application/problem+json' }] as const;
}

useNock();

describe('Mailchimp key and base URL', () => {
  it('takes the data centre from the key suffix', () => {
    expect(mailchimpBaseUrl(KEY)).toBe(BASE);
  });

  it('refuses a key without a data-centre suffix with a clear message, before any call', () => {
    const env = { FRESHSERVICE_DOMAIN: 'acme', FRESHSERVICE_API_KEY: 'fs-key', MAILCHIMP_API_KEY: '0123456789abcdef', MAILCHIMP_AUDIENCE_ID: LIST, REPORT_REPLY_TO: 'a@b.com', REPORT_LINK_SECRET: 'x'.repeat(20) };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/MAILCHIMP_API_KEY has no data-centre suffix/);
  });
});

describe('listing the audience', () => {
  it('reads every member 1000 at a time with only the fields linking uses, archived members included', async () => {
    const fields = 'members.email_address,members.status,members.merge_fields,total_items';
    const page = (offset: number, count: number) => ({
      members: Array.from({ length: count }, (_, index) => ({ email_address: `m${offset + index}@x.com`, status: 'subscribed', merge_fields: { FNAME: 'M', LNAME: String(offset + index) } })),
      total_items: 2500,
    });
    const scope = nock(BASE)
      .get(`/lists/${LIST}/members`)
      .matchHeader('authorization', (value) => Buffer.from(value.replace(/^Basic /, ''), 'base64').toString().endsWith(`:${KEY}`))
      .query({ count: '1000', offset: '0', fields })
      .reply(200, page(0, 1000))
      .get(`/lists/${LIST}/members`)
      .query({ count: '1000', offset: '1000', fields })
      .reply(200, page(1000, 1000))
      .get(`/lists/${LIST}/members`)
      .query({ count: '1000', offset: '2000', fields })
      .reply(200, page(2000, 500))
      .get(`/lists/${LIST}/members`)
      .query({ count: '1000', offset: '0', fields, status: 'archived' })
      .reply(200, { members: [{ email_address: 'gone@x.com', status: 'archived', merge_fields: { FNAME: 'Gone', LNAME: '' } }], total_items: 1 });
    const { http, members } = client();
    const all = await members.listAll();
    expect(all).toHaveLength(2501);
    expect(all.at(-1)).toEqual({ email: 'gone@x.com', status: 'archived', firstName: 'Gone', lastName: '' });
    expect(http.stats().requests).toBe(4);
    scope.done();
  });

  it('retries a GET after 503 and 429 (honouring Retry-After) and then succeeds', async () => {
    const scope = nock(BASE)
      .get(/\/lists\/aud123\/members\/.*/)
      .reply(503, 'Service Unavailable')
      .get(/\/lists\/aud123\/members\/.*/)
      .reply(429, { title: 'Too Many Requests', status: 429, detail: 'You have exceeded the limit of 10 simultaneous connections.' }, { 'Retry-After': '0' })
      .get(/\/lists\/aud123\/members\/.*/)
      .reply(200, { email_address: 'Jane@Acme.com', status: 'subscribed', merge_fields: { FNAME: 'Jane', LNAME: 'Doe' } });
    const { http, members } = client();
    expect(await members.get('jane@acme.com')).toEqual({ email: 'Jane@Acme.com', status: 'subscribed', firstName: 'Jane', lastName: 'Doe' });
    expect(http.stats()).toMatchObject({ requests: 3, retries: 2, failures: 0 });
    scope.done();
  });

  it('treats a 403 without a body as throttling and a timeout as no answer, both retried on a GET', async () => {
    // The timeout leaves the prompt answers a wide margin, so a busy machine never turns one of them into a fourth attempt.
    nock(BASE).get(/members\//).query(true).reply(403).get(/members\//).query(true).delay(2_000).reply(200, {}).get(/members\//).query(true).reply(200, { email_address: 'a@b.co', status: 'cleaned', merge_fields: {} });
    const http = createMailchimpHttp({ baseUrl: BASE, apiKey: KEY, logger: silentLogger, retryBaseMs: 1, timeoutMs: 500 });
    expect(await createMailchimpMembers(http, LIST).get('a@b.co')).toMatchObject({ status: 'cleaned' });
    expect(http.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it('gives up after the last retry with the reason', async () => {
    nock(BASE).get(/members\//).query(true).times(2).delay(300).reply(200, {});
    const http = createMailchimpHttp({ baseUrl: BASE, apiKey: KEY, logger: silentLogger, retryBaseMs: 1, timeoutMs: 50, maxRetries: 1 });
    const error = await createMailchimpMembers(http, LIST).get('a@b.co').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 0, title: 'Timeout', message: 'Timeout: Mailchimp did not answer within 0.05 s.' });
    expect(http.stats()).toMatchObject({ requests: 2, retries: 1, failures: 1 });
  });

  it('answers "not in the audience" for a 404 member', async () => {
    nock(BASE).get(`/lists/${LIST}/members/${subscriberHash('nobody@acme.com')}`).query(true).reply(...problem(404, 'Resource Not Found', 'The requested resource could not be found.'));
    expect(await client().members.get('nobody@acme.com')).toBeUndefined();
  });
});

describe('adding and tagging a contact', () => {
  it('upserts with PUT to the md5 of the lower-case email, sending status_if_new and never status', async () => {
    let body: unknown;
    const hash = subscriberHash('Jon.Smyth@WayneDental.com');
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    nock(BASE)
      .put(`/lists/${LIST}/members/${hash}`, (received) => {
        body = received;
        return true;
      })
      .reply(200, { email_address: 'jon.smyth@waynedental.com', status: 'pending', merge_fields: { FNAME: 'Jon', LNAME: 'Smyth' } });
    const added = await client().members.upsert({ email: ' Jon.Smyth@WayneDental.com ', firstName: ' Jon', lastName: 'Smyth ', statusIfNew: 'pending' });
    expect(body).toEqual({ email_address: 'Jon.Smyth@WayneDental.com', status_if_new: 'pending', merge_fields: { FNAME: 'Jon', LNAME: 'Smyth' } });
    expect(added.status).toBe('pending');
  });

  it('leaves an empty name out of the upsert so it never blanks an existing member\'s name', async () => {
    let body: unknown;
    nock(BASE)
      .put(`/lists/${LIST}/members/${subscriberHash('a@b.com')}`, (received) => {
        body = received;
        return true;
      })
      .reply(200, { email_address: 'a@b.com', status: 'subscribed', merge_fields: { FNAME: 'Ann', LNAME: 'Bee' } });
    const added = await client().members.upsert({ email: 'a@b.com', firstName: ' ', lastName: '', statusIfNew: 'subscribed' });
    expect(body).toEqual({ email_address: 'a@b.com', status_if_new: 'subscribed' });
    expect(added).toMatchObject({ firstName: 'Ann', lastName: 'Bee' });
  });

  it('tags with POST …/tags and reads the 204 as success', async () => {
    let body: unknown;
    nock(BASE)
      .post(`/lists/${LIST}/members/${subscriberHash('a@b.com')}/tags`, (received) => {
        body = received;
        return true;
      })
      .reply(204);
    await expect(client().members.tag('a@b.com', ['integoreport'])).resolves.toBeUndefined();
    expect(body).toEqual({ tags: [{ name: 'integoreport', status: 'active' }] });
  });

  it('never retries a POST, even on a 503', async () => {
    const scope = nock(BASE).post(/tags$/).reply(503, 'busy');
    const { http, members } = client();
    await expect(members.tag('a@b.com', ['integoreport'])).rejects.toBeInstanceOf(MailchimpError);
    expect(http.stats()).toMatchObject({ requests: 1, retries: 0, failures: 1 });
    scope.done();
  });

  it.each([
    ['Member In Compliance State', 'jane@acme.com is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.'],
    ['Forgotten Email Not Subscribed', 'jane@acme.com was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.'],
  ])('reads a 400 "%s" as a typed error with Mailchimp\'s own words, without retrying', async (title, detail) => {
    const scope = nock(BASE).put(/members/).reply(...problem(400, title, detail));
    const { http, members } = client();
    const error = await members.upsert({ email: 'jane@acme.com', firstName: 'Jane', lastName: 'Doe', statusIfNew: 'subscribed' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailchimpError);
    expect(error).toMatchObject({ status: 400, title, detail, instance: 'abc-123', transient: false });
    expect((error as Error).message).toBe(`${title}: ${detail}`);
    expect(http.stats().requests).toBe(1);
    scope.done();
  });

  it('keeps the field errors of an "Invalid Resource" refusal', async () => {
    nock(BASE)
      .put(/members/)
      .reply(...problem(400, 'Invalid Resource', 'Your merge fields were invalid.', { errors: [{ field: 'FNAME', message: 'Please enter a value' }] }));
    const error = await client().members.upsert({ email: 'x@y.com', firstName: '', lastName: '', statusIfNew: 'subscribed' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ title: 'Invalid Resource', errors: [{ field: 'FNAME', message: 'Please enter a value' }] });
    expect((error as Error).message).toBe('Invalid Resource: Your merge fields were invalid. (FNAME: Please enter a value)');
  });

  it('reports a 200 with a broken body as a malformed response, and retries it on a GET', async () => {
    nock(BASE).get(/members\//).query(true).reply(200, '{"email_address": "a@b.co').get(/members\//).query(true).reply(200, { email_address: 'a@b.co', status: 'subscribed', merge_fields: {} });
    const { http, members } = client();
    expect(await members.get('a@b.co')).toMatchObject({ email: 'a@b.co' });
    expect(http.stats().retries).toBe(1);
  });
});
