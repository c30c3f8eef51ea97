import path from 'node:path';
import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { readSandboxOutbox, startMailchimpSandbox, type MailchimpSandbox, type SandboxAudienceMember } from '../src/sandbox/index.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';
import { MARKETING_CONTRACTS } from '../src/sandbox/mailchimp/marketing/schemas.js';
import { marketingRoutes } from '../src/sandbox/mailchimp/routes.js';

const LIST_ID = 'a1b2c3d4e5';

function member(email: string, status: SandboxAudienceMember['status'], first: string, last: string, extra: Partial<SandboxAudienceMember> = {}): SandboxAudienceMember {
  return { email_address: email, status, merge_fields: { FNAME: first, LNAME: last }, tags: [], last_changed: '2026-10-01T09:00:00+00:00', ...extra };
}

function audience(): SandboxAudienceMember[] {
  return [
    member('ada@acme.example', 'subscribed', 'Ada', 'Lovelace'),
    member('grace@globex.example', 'subscribed', 'Grace', 'Hopper'),
    member('linus@initech.example', 'unsubscribed', 'Linus', 'Torvalds'),
    member('ken@umbrella.example', 'cleaned', 'Ken', 'Thompson'),
    member('gone@hooli.example', 'unsubscribed', 'Gone', 'Person', { forgotten: true }),
  ];
}

const md5 = (email: string): string => createHash('md5').update(email.toLowerCase()).digest('hex');

let dataDir: string;
let sandbox: MailchimpSandbox;
let clock: ReturnType<typeof fixedClock>;

interface CallResult {
  status: number;
  contentType: string;
  body: any;
}

async function call(method: string, path: string, body?: unknown, apiKey = sandbox.apiKey): Promise<CallResult> {
  const response = await fetch(`${sandbox.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Basic ${Buffer.from(`anystring:${apiKey}`).toString('base64')}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

async function transactional(path: string, body: Record<string, unknown>): Promise<CallResult> {
  const response = await fetch(`${sandbox.transactional.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.json() };
}

function reportCampaign(email: string, title = 'report:acme:2026-10') {
  return {
    type: 'regular',
    recipients: { list_id: LIST_ID, segment_opts: { match: 'all', conditions: [{ condition_type: 'EmailAddress', field: 'EMAIL', op: 'is', value: email }] } },
    settings: { subject_line: 'Your Monthly Service Report: Acme', title, from_name: 'Intego Support', reply_to: 'support@intego.example' },
  };
}

async function readyCampaign(email: string, html = '<html><body><p>Hello *|FNAME|*</p></body></html>'): Promise<string> {
  const created = await call('POST', '/campaigns', reportCampaign(email));
  expect(created.status).toBe(200);
  expect((await call('PUT', `/campaigns/${created.body.id}/content`, { html })).status).toBe(200);
  return created.body.id;
}

beforeEach(async () => {
  dataDir = await makeTempDir('integoreport-mailchimp-');
  clock = fixedClock('2026-11-02T10:00:00Z');
  sandbox = await startMailchimpSandbox({ members: audience(), listId: LIST_ID, clock });
});

afterEach(async () => {
  await sandbox.close();
  await removeTempDir(dataDir);
});

describe('authentication', () => {
  it('refuses a wrong or missing key with a 401 problem document, and accepts Basic or Bearer with the right key', async () => {
    const wrong = await call('GET', `/lists/${LIST_ID}/members`, undefined, 'wrong-us1');
    expect(wrong.status).toBe(401);
    expect(wrong.contentType).toContain('application/problem+json');
    expect(wrong.body).toMatchObject({ title: 'API Key Invalid', status: 401 });
    expect(Object.keys(wrong.body)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance']));

    const missing = await fetch(`${sandbox.baseUrl}/lists/${LIST_ID}/members`);
    expect(missing.status).toBe(401);

    const bearer = await fetch(`${sandbox.baseUrl}/lists/${LIST_ID}/members`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } });
    expect(bearer.status).toBe(200);
    expect(sandbox.apiKey).toMatch(/-us1$/);
    expect((await call('GET', '/ping')).body).toEqual({ health_status: "Everything's Chimpy!" });
    expect((await call('GET', '/')).body.total_subscribers).toBe(2);
  });
});

describe('audience members', () => {
  it('pages with count/offset, counts total_items, and trims with fields', async () => {
    const first = await call('GET', `/lists/${LIST_ID}/members?count=2&offset=0`);
    expect(first.status).toBe(200);
    expect(first.body.total_items).toBe(4);
    expect(first.body.members.map((m: any) => m.email_address)).toEqual(['ada@acme.example', 'grace@globex.example']);
    expect(first.body.members[0]).toMatchObject({ id: md5('ada@acme.example'), full_name: 'Ada Lovelace', status: 'subscribed', list_id: LIST_ID });

    const second = await call('GET', `/lists/${LIST_ID}/members?count=2&offset=2`);
    expect(second.body.members.map((m: any) => m.email_address)).toEqual(['linus@initech.example', 'ken@umbrella.example']);

    const trimmed = await call('GET', `/lists/${LIST_ID}/members?count=1&fields=members.email_address,members.merge_fields,total_items`);
    expect(trimmed.body).toEqual({ members: [{ email_address: 'ada@acme.example', merge_fields: { FNAME: 'Ada', LNAME: 'Lovelace' } }], total_items: 4 });

    const subscribed = await call('GET', `/lists/${LIST_ID}/members?status=subscribed&fields=total_items`);
    expect(subscribed.body).toEqual({ total_items: 2 });
  });

  it('rejects count above 1000 and answers 404 for an unknown audience', async () => {
    const tooMany = await call('GET', `/lists/${LIST_ID}/members?count=1001`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.contentType).toContain('application/problem+json');
    const unknown = await call('GET', '/lists/nope/members');
    expect(unknown.status).toBe(404);
    expect(unknown.body.title).toBe('Resource Not Found');
  });

  it('finds a member by hash, by address and through search-members', async () => {
    expect((await call('GET', `/lists/${LIST_ID}/members/${md5('grace@globex.example')}`)).body.email_address).toBe('grace@globex.example');
    expect((await call('GET', `/lists/${LIST_ID}/members/${md5('nobody@nowhere.example')}`)).status).toBe(404);
    const search = await call('GET', `/search-members?query=ADA@acme.example&list_id=${LIST_ID}`);
    expect(search.body.exact_matches.members.map((m: any) => m.email_address)).toEqual(['ada@acme.example']);
  });

  it('upserts a new contact with status_if_new and merge fields', async () => {
    const email = 'New.Person@Acme.example';
    const put = await call('PUT', `/lists/${LIST_ID}/members/${md5(email)}`, { email_address: email, status_if_new: 'subscribed', merge_fields: { FNAME: 'New', LNAME: 'Person' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: md5(email), status: 'subscribed', merge_fields: { FNAME: 'New', LNAME: 'Person' } });
    expect(sandbox.members().find((m) => m.email_address === email)?.status).toBe('subscribed');

    const again = await call('PUT', `/lists/${LIST_ID}/members/${md5(email)}`, { email_address: email, status_if_new: 'subscribed' });
    expect(again.status).toBe(200);
    expect(sandbox.members().filter((m) => m.email_address === email)).toHaveLength(1);
  });

  it('requires status_if_new for a new contact and a valid address', async () => {
    const noStatus = await call('PUT', `/lists/${LIST_ID}/members/${md5('x@acme.example')}`, { email_address: 'x@acme.example' });
    expect(noStatus.status).toBe(400);
    expect(noStatus.body.title).toBe('Invalid Resource');
    expect(noStatus.body.errors).toEqual([{ field: '', message: 'Required fields were not provided: status_if_new' }]);

    const invalid = await call('PUT', `/lists/${LIST_ID}/members/${md5('not-an-email')}`, { email_address: 'not-an-email', status_if_new: 'subscribed' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ title: 'Invalid Resource', errors: [{ field: 'email_address' }] });
  });

  it('never re-subscribes an unsubscribed member through status_if_new', async () => {
    const put = await call('PUT', `/lists/${LIST_ID}/members/${md5('linus@initech.example')}`, {
      email_address: 'linus@initech.example',
      status_if_new: 'subscribed',
      merge_fields: { FNAME: 'Linus' },
    });
    expect(put.status).toBe(200);
    expect(put.body.status).toBe('unsubscribed');
    expect(sandbox.members().find((m) => m.email_address === 'linus@initech.example')?.status).toBe('unsubscribed');
  });

  it('refuses to subscribe a member in a compliance state, and refuses a forgotten contact', async () => {
    const compliance = await call('PUT', `/lists/${LIST_ID}/members/${md5('ken@umbrella.example')}`, { email_address: 'ken@umbrella.example', status_if_new: 'subscribed', status: 'subscribed' });
    expect(compliance.status).toBe(400);
    expect(compliance.body).toMatchObject({
      title: 'Member In Compliance State',
      detail: 'ken@umbrella.example is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.',
    });

    const forgotten = await call('PUT', `/lists/${LIST_ID}/members/${md5('gone@hooli.example')}`, { email_address: 'gone@hooli.example', status_if_new: 'subscribed' });
    expect(forgotten.status).toBe(400);
    expect(forgotten.body).toMatchObject({
      title: 'Forgotten Email Not Subscribed',
      detail: 'gone@hooli.example was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.',
    });
    expect(sandbox.members().find((m) => m.email_address === 'ken@umbrella.example')?.status).toBe('cleaned');
  });

  it('adds tags through the tags endpoint only', async () => {
    const hash = md5('ada@acme.example');
    const withTags = await call('PUT', `/lists/${LIST_ID}/members/${hash}`, { email_address: 'ada@acme.example', status_if_new: 'subscribed', tags: ['ignored'] });
    expect(withTags).toMatchObject({ status: 400, body: { errors: [{ field: 'tags' }] } });
    expect(sandbox.members().find((m) => m.email_address === 'ada@acme.example')?.tags).toEqual([]);
    const tagged = await call('POST', `/lists/${LIST_ID}/members/${hash}/tags`, { tags: [{ name: 'client-contact', status: 'active' }] });
    expect(tagged.status).toBe(204);
    expect(sandbox.members().find((m) => m.email_address === 'ada@acme.example')?.tags).toEqual(['client-contact']);
  });
});

describe('campaigns', () => {
  it('creates a draft that counts only subscribed members of the segment', async () => {
    const created = await call('POST', '/campaigns', reportCampaign('ada@acme.example'));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'save', emails_sent: 0, type: 'regular', recipients: { list_id: LIST_ID, recipient_count: 1 } });
    expect(created.body.id).toMatch(/^[0-9a-f]{10}$/);
    expect(created.body.settings.title).toBe('report:acme:2026-10');

    const unsubscribed = await call('POST', '/campaigns', reportCampaign('linus@initech.example'));
    expect(unsubscribed.body.recipients.recipient_count).toBe(0);
  });

  it('validates the create body like Mailchimp', async () => {
    const invalid = await call('POST', '/campaigns', {
      type: 'newsletter',
      recipients: { list_id: LIST_ID, segment_opts: { match: 'some', conditions: [{ condition_type: 'EmailAddress', field: 'EMAIL', op: 'equals', value: 'a@b.example' }] } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.title).toBe('Invalid Resource');
    expect(invalid.body.errors.map((e: any) => e.field)).toEqual(['type', 'recipients.segment_opts.match', 'recipients.segment_opts.conditions[0].op']);
  });

  it('goes create → content → checklist → send, delivering exactly one email to the segment', async () => {
    const id = await readyCampaign('ada@acme.example');
    const checklist = await call('GET', `/campaigns/${id}/send-checklist`);
    expect(checklist.body.is_ready).toBe(true);

    expect((await call('POST', `/campaigns/${id}/actions/send`)).status).toBe(204);
    const outbox = sandbox.outbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ kind: 'campaign', campaignId: id, to: ['ada@acme.example'], subject: 'Your Monthly Service Report: Acme', fromName: 'Intego Support', replyTo: 'support@intego.example' });
    expect(outbox[0]!.html).toContain('Hello Ada');
    expect(outbox[0]!.html).toContain('unsubscribe');

    const sent = await call('GET', `/campaigns/${id}?fields=status,emails_sent,send_time`);
    expect(sent.body).toEqual({ status: 'sent', emails_sent: 1, send_time: '2026-11-02T10:00:00+00:00' });

    const again = await call('POST', `/campaigns/${id}/actions/send`);
    expect(again.status).toBe(400);
    expect(again.body.detail).toMatch(/already been sent/);
    expect(sandbox.outbox()).toHaveLength(1);
  });

  it('explains an empty segment in the checklist and refuses to send', async () => {
    const id = await readyCampaign('linus@initech.example');
    const checklist = await call('GET', `/campaigns/${id}/send-checklist`);
    expect(checklist.body.is_ready).toBe(false);
    const error = checklist.body.items.find((item: any) => item.type === 'error');
    expect(error.details).toContain('Your segment of list');
    expect(error.details).toContain('linus@initech.example is unsubscribed');

    const send = await call('POST', `/campaigns/${id}/actions/send`);
    expect(send.status).toBe(400);
    expect(send.body).toMatchObject({ title: 'Bad Request', detail: 'Your Campaign is not ready to send.' });
    expect(sandbox.outbox()).toHaveLength(0);
  });

  it('lists missing content, subject, from name and reply-to as checklist errors', async () => {
    const created = await call('POST', '/campaigns', { type: 'regular', recipients: { list_id: LIST_ID } });
    const checklist = await call('GET', `/campaigns/${created.body.id}/send-checklist`);
    expect(checklist.body.is_ready).toBe(false);
    expect(checklist.body.items.filter((item: any) => item.type === 'error').map((item: any) => item.heading)).toEqual(['Subject line', 'From name', 'Reply-to address', 'Content']);
  });

  it('sends a test email without changing the campaign, and needs both test fields', async () => {
    const id = await readyCampaign('ada@acme.example');
    const missing = await call('POST', `/campaigns/${id}/actions/test`, { test_emails: ['qa@intego.example'] });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: '', message: 'Required fields were not provided: send_type' }]);

    expect((await call('POST', `/campaigns/${id}/actions/test`, { test_emails: ['qa@intego.example'], send_type: 'html' })).status).toBe(204);
    expect(sandbox.outbox()).toMatchObject([{ kind: 'test', campaignId: id, to: ['qa@intego.example'] }]);
    expect((await call('GET', `/campaigns/${id}`)).body.status).toBe('save');
  });

  it('evaluates literal merge tags but leaves an escaped one inert', async () => {
    const html = '<p>Hi *|FNAME|* *|LNAME|* (*|EMAIL|*), ticket says &#42;|FNAME|* and *|UNKNOWN_TAG|*end</p>';
    const id = await readyCampaign('grace@globex.example', html);
    await call('POST', `/campaigns/${id}/actions/send`);
    const [email] = sandbox.outbox();
    expect(email!.html).toContain('Hi Grace Hopper (grace@globex.example), ticket says &#42;|FNAME|* and end');
  });

  it('keeps an escaped merge tag in the subject inert too', async () => {
    const created = await call('POST', '/campaigns', { ...reportCampaign('ada@acme.example'), settings: { ...reportCampaign('').settings, subject_line: 'Report for *|FNAME|*: ticket &#42;|LNAME|*' } });
    await call('PUT', `/campaigns/${created.body.id}/content`, { html: '<p>x</p>' });
    await call('POST', `/campaigns/${created.body.id}/actions/send`);
    expect(sandbox.outbox()[0]!.subject).toBe('Report for Ada: ticket &#42;|LNAME|*');
  });

  it('sends to every subscribed match of an "any" segment (client plus internal copy)', async () => {
    const body = reportCampaign('ada@acme.example');
    body.recipients.segment_opts = {
      match: 'any',
      conditions: ['ada@acme.example', 'grace@globex.example', 'linus@initech.example'].map((value) => ({ condition_type: 'EmailAddress', field: 'merge0', op: 'is', value })),
    };
    const created = await call('POST', '/campaigns', body);
    expect(created.body.recipients.recipient_count).toBe(2);
    await call('PUT', `/campaigns/${created.body.id}/content`, { html: '<p>x</p>' });
    await call('POST', `/campaigns/${created.body.id}/actions/send`);
    expect(sandbox.outbox()[0]!.to).toEqual(['ada@acme.example', 'grace@globex.example']);
    expect((await call('GET', `/campaigns/${created.body.id}`)).body.emails_sent).toBe(2);
  });

  it('sends to a static segment (saved_segment_id), ignoring addresses not on the list', async () => {
    const segment = await call('POST', `/lists/${LIST_ID}/segments`, { name: 'acme report', static_segment: ['ada@acme.example', 'linus@initech.example', 'stranger@nowhere.example'] });
    expect(segment.status).toBe(200);
    expect(segment.body).toMatchObject({ name: 'acme report', type: 'static', member_count: 2 });
    const body = { ...reportCampaign(''), recipients: { list_id: LIST_ID, segment_opts: { saved_segment_id: segment.body.id } } };
    expect((await call('POST', '/campaigns', { ...body, recipients: { list_id: LIST_ID, segment_opts: { saved_segment_id: 999 } } })).status).toBe(400);

    const created = await call('POST', '/campaigns', body);
    expect(created.body.recipients.recipient_count).toBe(1);
    const added = await call('POST', `/lists/${LIST_ID}/segments/${segment.body.id}`, { members_to_add: ['grace@globex.example'], members_to_remove: ['linus@initech.example'] });
    expect(added.body).toMatchObject({ total_added: 1, total_removed: 1, error_count: 0 });
    await call('PUT', `/campaigns/${created.body.id}/content`, { html: '<p>x</p>' });
    await call('POST', `/campaigns/${created.body.id}/actions/send`);
    expect(sandbox.outbox()[0]!.to).toEqual(['ada@acme.example', 'grace@globex.example']);
  });

  it('unsubscribes the reader who follows the footer link, so the next report segment is empty', async () => {
    const first = await readyCampaign('ada@acme.example');
    await call('POST', `/campaigns/${first}/actions/send`);
    const unsubscribeUrl = /href="([^"]*\/unsubscribe\?[^"]*)"/.exec(sandbox.outbox()[0]!.html)![1]!;
    expect((await fetch(unsubscribeUrl)).status).toBe(200);
    expect(sandbox.members().find((m) => m.email_address === 'ada@acme.example')?.status).toBe('unsubscribed');

    const second = await readyCampaign('ada@acme.example');
    const checklist = await call('GET', `/campaigns/${second}/send-checklist`);
    expect(checklist.body.is_ready).toBe(false);
  });

  it('lets a draft be edited and deleted, but not a sent campaign edited', async () => {
    const id = await readyCampaign('ada@acme.example', '<html><body><h1>October</h1><p>Tickets: <b>12</b></p></body></html>');
    const content = await call('GET', `/campaigns/${id}/content`);
    expect(content.body.plain_text).toBe('October\nTickets: 12');

    const settings = { subject_line: 'Corrected subject', from_name: 'Intego Support', reply_to: 'support@intego.example' };
    const patched = await call('PATCH', `/campaigns/${id}`, { settings });
    expect(patched.status).toBe(200);
    expect(patched.body.settings).toMatchObject({ subject_line: 'Corrected subject', from_name: 'Intego Support', title: 'report:acme:2026-10' });

    await call('POST', `/campaigns/${id}/actions/send`);
    expect((await call('PATCH', `/campaigns/${id}`, { settings: { ...settings, subject_line: 'Too late' } })).body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect((await call('PUT', `/campaigns/${id}/content`, { html: '<p>Too late</p>' })).status).toBe(400);

    const draft = await readyCampaign('grace@globex.example');
    expect((await call('DELETE', `/campaigns/${draft}`)).status).toBe(204);
    expect((await call('GET', `/campaigns/${draft}`)).status).toBe(404);
  });

  it('delivers a scheduled campaign once the clock passes its quarter-hour', async () => {
    const id = await readyCampaign('ada@acme.example');
    const offGrid = await call('POST', `/campaigns/${id}/actions/schedule`, { schedule_time: '2026-11-02T12:10:00Z' });
    expect(offGrid.status).toBe(400);
    expect((await call('POST', `/campaigns/${id}/actions/schedule`, { schedule_time: '2026-11-02T12:15:00Z' })).status).toBe(204);
    expect((await call('GET', `/campaigns/${id}?fields=status`)).body.status).toBe('schedule');
    expect(sandbox.outbox()).toHaveLength(0);

    clock.set('2026-11-02T12:20:00Z');
    expect((await call('GET', `/campaigns/${id}?fields=status,send_time`)).body).toEqual({ status: 'sent', send_time: '2026-11-02T12:15:00+00:00' });
    expect(sandbox.outbox()).toMatchObject([{ kind: 'campaign', campaignId: id, sentAt: '2026-11-02T12:15:00+00:00' }]);
  });

  it('lists campaigns by audience and creation time for the exactly-once pre-check', async () => {
    await readyCampaign('ada@acme.example');
    const listed = await call('GET', `/campaigns?list_id=${LIST_ID}&since_create_time=2026-11-01T00:00:00Z&sort_field=create_time&sort_dir=DESC&count=1000&fields=campaigns.id,campaigns.status,campaigns.settings.title,total_items`);
    expect(listed.body.total_items).toBe(1);
    expect(listed.body.campaigns[0]).toEqual({ id: expect.any(String), status: 'save', settings: { title: 'report:acme:2026-10' } });
    const later = await call('GET', `/campaigns?since_create_time=2026-12-01T00:00:00Z`);
    expect(later.body.total_items).toBe(0);
    const unencodedPlus = await call('GET', `/campaigns?since_create_time=2026-11-01T00:00:00+00:00`);
    expect(unencodedPlus.status).toBe(400);
    expect(unencodedPlus.body.errors[0].field).toBe('since_create_time');
  });

  it('performs the send when the response times out (failNext)', async () => {
    const id = await readyCampaign('ada@acme.example');
    sandbox.failNext('campaign.send', 'timeout');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    await expect(
      fetch(`${sandbox.baseUrl}/campaigns/${id}/actions/send`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sandbox.apiKey}` },
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    clearTimeout(timer);
    expect(sandbox.outbox()).toHaveLength(1);
    expect((await call('GET', `/campaigns/${id}?fields=status`)).body.status).toBe('sent');
  });

  it('fails before the effect when told to', async () => {
    const id = await readyCampaign('ada@acme.example');
    sandbox.failNext('campaign.send', 'error-before-effect');
    expect((await call('POST', `/campaigns/${id}/actions/send`)).status).toBe(500);
    expect(sandbox.outbox()).toHaveLength(0);
    expect((await call('POST', `/campaigns/${id}/actions/send`)).status).toBe(204);
    expect(sandbox.outbox()).toHaveLength(1);
  });
});

describe('every request checked against the Marketing spec', () => {
  const member = `/lists/${LIST_ID}/members/${md5('ada@acme.example')}`;

  it('refuses PATCH /campaigns/{id} without the settings the spec requires (subject_line, from_name, reply_to)', async () => {
    const id = await readyCampaign('ada@acme.example');

    const subjectOnly = await call('PATCH', `/campaigns/${id}`, { settings: { subject_line: 'Corrected subject' } });
    expect(subjectOnly.status).toBe(400);
    expect(subjectOnly.body.errors).toEqual([{ field: 'settings', message: 'Required fields were not provided: from_name, reply_to' }]);
    const noSettings = await call('PATCH', `/campaigns/${id}`, { recipients: { list_id: LIST_ID } });
    expect(noSettings.body.errors).toEqual([{ field: '', message: 'Required fields were not provided: settings' }]);
    const withType = await call('PATCH', `/campaigns/${id}`, { type: 'regular', settings: { subject_line: 's', from_name: 'f', reply_to: 'r@intego.example' } });
    expect(withType.body.errors).toEqual([{ field: 'type', message: 'The schema does not describe this field.' }]);
    expect((await call('GET', `/campaigns/${id}`)).body.settings.subject_line).toBe('Your Monthly Service Report: Acme');
  });

  it('answers with Mailchimp\'s problem document: type, title, status, detail, instance and errors[] of field and message', async () => {
    const refused = await call('POST', '/campaigns', { recipients: { list_id: LIST_ID } });
    expect(refused.status).toBe(400);
    expect(refused.contentType).toBe('application/problem+json; charset=utf-8');
    expect(refused.body).toEqual({
      type: 'https://mailchimp.com/developer/marketing/docs/errors/',
      title: 'Invalid Resource',
      status: 400,
      detail: "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
      instance: expect.stringMatching(/^[0-9a-f-]{36}$/),
      errors: [{ field: '', message: 'Required fields were not provided: type' }],
    });
  });

  it.each([
    ['a body that is not an object', 'POST', '/campaigns', [], [{ field: '', message: 'Schema describes object, array found instead' }]],
    ['no body', 'PUT', member, undefined, [{ field: '', message: 'Schema describes object, NULL found instead' }]],
    ['a wrong type', 'POST', '/campaigns', { type: 'regular', settings: { subject_line: 42, auto_footer: 'yes' } }, [
      { field: 'settings.subject_line', message: 'Schema describes string, integer found instead' },
      { field: 'settings.auto_footer', message: 'Schema describes boolean, string found instead' },
    ]],
    ['a value outside the enum', 'POST', '/campaigns', { type: 'newsletter' }, [{ field: 'type', message: 'Value is not one of enum values: regular, plaintext, absplit, rss, variate' }]],
    ['a nested enum in a segment condition', 'POST', '/campaigns', { type: 'regular', recipients: { list_id: LIST_ID, segment_opts: { match: 'all', conditions: [{ condition_type: 'EmailAddress', field: 'EMAIL', op: 'equals', value: 'a@b.example' }] } } }, [
      { field: 'recipients.segment_opts.conditions[0].op', message: 'Value is not one of enum values: is, not, contains, notcontain, starts, ends, greater, less' },
    ]],
    ['a required field inside an object', 'POST', '/campaigns', { type: 'regular', recipients: { segment_opts: { match: 'all' } } }, [{ field: 'recipients', message: 'Required fields were not provided: list_id' }]],
    ['an unknown field', 'PUT', `/campaigns/c1/content`, { html: '<p>x</p>', body: '<p>x</p>' }, [{ field: 'body', message: 'The schema does not describe this field.' }]],
    ['a read-only field', 'PATCH', '/campaigns/c1', { id: 'c1', settings: { subject_line: 's', from_name: 'f', reply_to: 'r@intego.example', drag_and_drop: true } }, [
      { field: 'id', message: 'The schema does not describe this field.' },
      { field: 'settings.drag_and_drop', message: 'The schema does not describe this field.' },
    ]],
    ['a tag without its status', 'POST', `${member}/tags`, { tags: [{ name: 'client-contact' }] }, [{ field: 'tags[0]', message: 'Required fields were not provided: status' }]],
    ['a member status outside the enum', 'PUT', member, { email_address: 'ada@acme.example', status_if_new: 'archived' }, [
      { field: 'status_if_new', message: 'Value is not one of enum values: subscribed, unsubscribed, cleaned, pending, transactional' },
    ]],
    ['test emails as one string', 'POST', '/campaigns/c1/actions/test', { test_emails: 'qa@intego.example', send_type: 'html' }, [{ field: 'test_emails', message: 'Schema describes array, string found instead' }]],
    ['an unknown query parameter', 'GET', '/campaigns?sort_direction=DESC', undefined, [{ field: 'sort_direction', message: 'The schema does not describe this field.' }]],
    ['a query enum', 'GET', '/campaigns?status=archived', undefined, [{ field: 'status', message: 'Value is not one of enum values: save, paused, schedule, sending, sent' }]],
    ['a query integer', 'GET', `/lists/${LIST_ID}/members?count=all`, undefined, [{ field: 'count', message: 'Schema describes integer, string found instead' }]],
    ['count above 1000', 'GET', `/lists/${LIST_ID}/members?count=1001`, undefined, [{ field: 'count', message: 'Value must be <= 1000.' }]],
    ['a date-time with its + sent unencoded', 'GET', '/campaigns?since_create_time=2026-11-01T00:00:00+00:00', undefined, [{ field: 'since_create_time', message: '"2026-11-01T00:00:00 00:00" is not a valid ISO 8601 date-time.' }]],
  ])('refuses %s', async (_case, method, path, body, errors) => {
    const refused = await call(method as string, path as string, body);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ title: 'Invalid Resource', status: 400 });
    expect(refused.body.errors).toEqual(errors);
  });

  it('describes every request with a valid JSON Schema', () => {
    const metaSchema = new Ajv({ discriminator: true });
    for (const [key, contract] of Object.entries(MARKETING_CONTRACTS)) {
      for (const schema of [contract.query, ...(contract.body ? [contract.body] : [])]) {
        expect(metaSchema.validateSchema(schema), `${key}: ${metaSchema.errorsText(metaSchema.errors)}`).toBe(true);
      }
    }
  });

  it('accepts an empty query exactly where no parameter is required (the simulator checks such a query without a validator)', () => {
    const validator = new Ajv({ discriminator: true, coerceTypes: true, validateFormats: false });
    for (const [key, contract] of Object.entries(MARKETING_CONTRACTS)) {
      expect(validator.validate(contract.query, {}), key).toBe(contract.query.required === undefined);
    }
  });

  it('describes only routes the sandbox serves', () => {
    for (const key of Object.keys(MARKETING_CONTRACTS)) {
      const [method, pattern] = key.split(' ');
      expect(marketingRoutes.some((route) => route.method === method && route.pattern === pattern), key).toBe(true);
    }
  });
});

describe('transactional', () => {
  const message = (to: string[]) => ({
    html: '<p>Hi *|FNAME|*</p>',
    subject: 'Your Monthly Service Report: Acme',
    from_email: 'reports@intego.example',
    from_name: 'Intego Support',
    to: to.map((email) => ({ email, type: 'to' })),
    headers: { 'Reply-To': 'support@intego.example' },
    merge: false,
    metadata: { report_key: 'report:acme:2026-10' },
  });

  const key = () => sandbox.transactional.apiKey;
  const search = (query: string) => transactional('/messages/search', { key: key(), query });

  it('rejects unsubscribed, cleaned and invalid recipients inside a 200 response, reasons spelled with underscores', async () => {
    const sent = await transactional('/messages/send', { key: key(), message: message(['ada@acme.example', 'linus@initech.example', 'ken@umbrella.example', 'bad-address']) });
    expect(sent.status).toBe(200);
    expect(sent.body.map((r: any) => [r.email, r.status, r.reject_reason])).toEqual([
      ['ada@acme.example', 'sent', null],
      ['linus@initech.example', 'rejected', 'unsub'],
      ['ken@umbrella.example', 'rejected', 'hard_bounce'],
      ['bad-address', 'invalid', null],
    ]);
    const outbox = sandbox.outbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ kind: 'transactional', to: ['ada@acme.example'], replyTo: 'support@intego.example', html: '<p>Hi *|FNAME|*</p>', messageId: sent.body[0]._id });
  });

  it('answers refusals with 400, a wrong key with 401 and an unknown message with 404, in its error body', async () => {
    const wrong = await transactional('/messages/send', { key: 'nope', message: message(['ada@acme.example']) });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ status: 'error', code: -1, name: 'Invalid_Key', message: 'Invalid API key' });
    const invalid = await transactional('/messages/send', { key: key(), message: { ...message([]), to: 'ada@acme.example' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ status: 'error', code: -2, name: 'ValidationError' });
    const unknown = await transactional('/messages/info', { key: key(), id: 'no-such-id' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 'error', name: 'Unknown_Message' });
  });

  it('finds messages by a metadata field only once the field is indexed, and only those sent after that', async () => {
    await transactional('/messages/send', { key: key(), message: message(['ada@acme.example']) });
    expect((await search('u_report_key:"report:acme:2026-10"')).body).toEqual([]);

    expect((await transactional('/metadata/list', { key: key() })).body).toEqual([]);
    const added = await transactional('/metadata/add', { key: key(), name: 'report_key' });
    expect(added).toMatchObject({ status: 200, body: { name: 'report_key', state: 'active', view_template: '' } });
    expect((await transactional('/metadata/list', { key: key() })).body).toEqual([{ name: 'report_key', state: 'active', view_template: '' }]);
    expect((await search('u_report_key:"report:acme:2026-10"')).body).toEqual([]);

    await transactional('/messages/send', { key: key(), message: message(['grace@globex.example']) });
    const found = await search('u_report_key:"report:acme:2026-10"');
    expect(found.body.map((m: any) => m.email)).toEqual(['grace@globex.example']);
    expect(found.body[0]).toMatchObject({ metadata: { report_key: 'report:acme:2026-10' } });
    expect((await search('u_report_key:report:globex:2026-10')).body).toEqual([]);
  });

  it('keeps a new field in state "index" while it is being indexed, and messages sent meanwhile unsearchable', async () => {
    await sandbox.close();
    sandbox = await startMailchimpSandbox({ members: audience(), listId: LIST_ID, clock, metadataIndexMs: 5 * 60_000 });
    expect((await transactional('/metadata/add', { key: key(), name: 'report_key' })).body).toMatchObject({ name: 'report_key', state: 'index' });
    await transactional('/messages/send', { key: key(), message: message(['ada@acme.example']) });
    clock.advance(5 * 60_000);
    expect((await transactional('/metadata/list', { key: key() })).body).toEqual([{ name: 'report_key', state: 'active', view_template: '' }]);
    await transactional('/messages/send', { key: key(), message: message(['grace@globex.example']) });
    expect((await search('u_report_key:"report:acme:2026-10"')).body.map((m: any) => m.email)).toEqual(['grace@globex.example']);
  });

  it('indexes at most 10 custom metadata fields, named with letters, digits and underscores', async () => {
    for (let index = 1; index <= 10; index += 1) expect((await transactional('/metadata/add', { key: key(), name: `field_${index}` })).status).toBe(200);
    const eleventh = await transactional('/metadata/add', { key: key(), name: 'report_key' });
    expect(eleventh).toMatchObject({ status: 400, body: { status: 'error', name: 'Metadata_FieldLimit', message: 'Custom metadata field limit reached' } });
    expect((await transactional('/metadata/list', { key: key() })).body).toHaveLength(10);
    for (const name of ['_private', 'report-key', '', 'x'.repeat(65)]) {
      expect((await transactional('/metadata/add', { key: key(), name })).body, name).toMatchObject({ status: 'error', name: 'ValidationError' });
    }
    expect((await transactional('/metadata/add', { key: key(), name: 'field_1' })).body).toMatchObject({ name: 'ValidationError' });
  });

  it('answers a 21st search within a minute with 429, and searches again 60 seconds after the first', async () => {
    for (let index = 0; index < 20; index += 1) {
      expect((await search('*')).status).toBe(200);
      clock.advance(1_000);
    }
    const limited = await search('*');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 'error' });
    clock.advance(40_000);
    expect((await search('*')).status).toBe(200);
    expect((await search('*')).status).toBe(429);
  });

  it('delivers and keeps the message searchable when the send answers 500 after the effect', async () => {
    await transactional('/metadata/add', { key: key(), name: 'report_key' });
    sandbox.failNext('transactional.send', 'error-after-effect');
    const failed = await transactional('/messages/send', { key: sandbox.transactional.apiKey, message: message(['ada@acme.example']) });
    expect(failed.status).toBe(500);
    expect(failed.body.status).toBe('error');
    expect(sandbox.outbox()).toHaveLength(1);
    const found = await transactional('/messages/search', { key: sandbox.transactional.apiKey, query: 'u_report_key:"report:acme:2026-10"' });
    expect(found.body.map((m: any) => m.email)).toEqual(['ada@acme.example']);
  });

  it('evaluates merge tags only when merge is true', async () => {
    await transactional('/messages/send', { key: sandbox.transactional.apiKey, message: { ...message(['ada@acme.example']), merge: true, global_merge_vars: [{ name: 'FNAME', content: 'Ada' }] } });
    expect(sandbox.outbox()[0]!.html).toBe('<p>Hi Ada</p>');
  });
});

describe('unverified sending domains', () => {
  it('keep a campaign from being ready and make Transactional reject the message as unsigned', async () => {
    await sandbox.close();
    sandbox = await startMailchimpSandbox({ members: audience(), listId: LIST_ID, clock, unverifiedDomains: ['Intego.example'] });
    const id = await readyCampaign('ada@acme.example');
    const checklist = await call('GET', `/campaigns/${id}/send-checklist`);
    expect(checklist.body.is_ready).toBe(false);
    expect(checklist.body.items.find((item: any) => item.type === 'error')).toMatchObject({ heading: 'Domain authentication' });

    const sent = await transactional('/messages/send', {
      key: sandbox.transactional.apiKey,
      message: { html: '<p>x</p>', subject: 's', from_email: 'reports@intego.example', to: [{ email: 'ada@acme.example' }] },
    });
    expect(sent.body).toMatchObject([{ status: 'rejected', reject_reason: 'unsigned' }]);
    expect(sandbox.outbox()).toEqual([]);
  });
});

describe('faults and persistence', () => {
  it('answers a 429 burst, then recovers, and records every request', async () => {
    sandbox.resetRequests();
    sandbox.controls.faults.rateLimitBurst = 2;
    expect((await call('GET', `/lists/${LIST_ID}`)).status).toBe(429);
    expect((await call('GET', `/lists/${LIST_ID}`)).status).toBe(429);
    expect((await call('GET', `/lists/${LIST_ID}`)).status).toBe(200);
    expect(sandbox.requests.map((r) => [r.service, r.status])).toEqual([
      ['mailchimp', 429],
      ['mailchimp', 429],
      ['mailchimp', 200],
    ]);
  });

  it('answers 5xx and truncated JSON when told to, from the seeded dice', async () => {
    sandbox.controls.faults.serverErrorRate = 1;
    const failed = await fetch(`${sandbox.baseUrl}/lists/${LIST_ID}`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } });
    expect([500, 502, 503]).toContain(failed.status);
    sandbox.controls.faults.serverErrorRate = 0;
    sandbox.controls.faults.malformedRate = 1;
    const response = await fetch(`${sandbox.baseUrl}/lists/${LIST_ID}`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it('holds a timed-out request open until close() destroys it', async () => {
    sandbox.controls.faults.timeoutRate = 1;
    const pending = fetch(`${sandbox.baseUrl}/lists/${LIST_ID}`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } });
    const settled = pending.then(
      () => 'answered',
      () => 'connection closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sandbox.requests.at(-1)).toMatchObject({ service: 'mailchimp', status: 0 });
    await sandbox.close();
    expect(await settled).toBe('connection closed');
    sandbox = await startMailchimpSandbox({ members: audience(), listId: LIST_ID });
  });

  it('keeps members, campaigns and the outbox across a restart, and the CLI can read the outbox', async () => {
    const stateFile = path.join(dataDir, 'mailchimp-sandbox.json');
    await sandbox.close();
    sandbox = await startMailchimpSandbox({ members: audience(), listId: LIST_ID, stateFile, clock: fixedClock('2026-11-02T10:00:00Z') });
    await call('PUT', `/lists/${LIST_ID}/members/${md5('new@acme.example')}`, { email_address: 'new@acme.example', status_if_new: 'subscribed' });
    const id = await readyCampaign('ada@acme.example');
    await call('POST', `/campaigns/${id}/actions/send`);
    await sandbox.close();

    sandbox = await startMailchimpSandbox({ members: [], listId: LIST_ID, stateFile });
    expect(sandbox.members().map((m) => m.email_address)).toContain('new@acme.example');
    expect(sandbox.campaigns()).toMatchObject([{ id, status: 'sent' }]);
    expect(sandbox.outbox()).toHaveLength(1);
    expect((await call('POST', `/campaigns/${id}/actions/send`)).status).toBe(400);
    expect(await readSandboxOutbox(stateFile)).toMatchObject([{ kind: 'campaign', campaignId: id, to: ['ada@acme.example'] }]);
  });
});
