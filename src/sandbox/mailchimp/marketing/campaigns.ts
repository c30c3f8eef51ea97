import type { SandboxAudienceMember } from '../../types.js';
import {
  invalidResource,
  isApiResult,
  isObject,
  json,
  link,
  noContent,
  notFound,
  pagingParameters,
  problem,
  type ApiResult,
  type FieldError,
  type Handler,
  type HandlerContext,
  type SiteInfo,
} from '../api.js';
import { isFieldRequested } from './fields.js';
import { appendFooter, evaluateMergeTags, htmlToPlainText, type MergeValues } from '../merge-tags.js';
import { describeSegment, namedEmails, segmentMatcher } from './segments.js';
import { emailDomain, isValidEmail, mailchimpTime, md5, nextId, subscriberHash, type CampaignSettings, type SandboxCampaign, type StaticSegment } from '../state.js';

/** Sandbox-only warning: Gmail shows "[Message clipped]" above roughly this size. */
const GMAIL_CLIP_BYTES = 102 * 1024;
const EDITABLE_STATUSES: SandboxCampaign['status'][] = ['save', 'paused'];

/** Bodies reach the handlers already checked against the spec (`contract.ts`); these check what the spec cannot. */
export const createCampaign: Handler = (context) => {
  const body = context.body as Record<string, any>;
  const errors = [...recipientErrors(context, body.recipients), ...settingsErrors(body.settings)];
  if (errors.length > 0) return invalidResource(errors);
  const now = context.clock.now();
  const id = nextId(context.state, 'campaign', 10);
  const campaign: SandboxCampaign = {
    id,
    web_id: parseInt(md5(`web:${id}`).slice(0, 7), 16),
    type: body.type,
    create_time: mailchimpTime(now),
    ...archiveUrls(id, context.site),
    status: 'save',
    emails_sent: 0,
    send_time: '',
    content_type: body.content_type ?? 'template',
    needs_block_refresh: false,
    resendable: false,
    recipients: {
      list_id: body.recipients?.list_id ?? '',
      list_is_active: true,
      list_name: body.recipients?.list_id ? context.site.listName : '',
      segment_text: '',
      recipient_count: 0,
      ...(body.recipients?.segment_opts ? { segment_opts: structuredClone(body.recipients.segment_opts) } : {}),
    },
    settings: { ...defaultSettings(), ...pickSettings(body.settings) },
    tracking: { opens: true, html_clicks: true, text_clicks: false, goal_tracking: false, ecomm360: false },
  };
  context.state.campaigns.push(campaign);
  context.changed();
  return json(campaignView(campaign, context));
};

export const listCampaigns: Handler = (context) => {
  const paging = pagingParameters(context.query);
  if (isApiResult(paging)) return paging;
  const query = context.query;
  const at = (text: string): number => (text ? Date.parse(text) : NaN);
  let campaigns = context.state.campaigns.filter(
    (campaign) =>
      (!query.type || campaign.type === query.type) &&
      (!query.status || campaign.status === query.status) &&
      (!query.list_id || campaign.recipients.list_id === query.list_id) &&
      (!query.since_create_time || at(campaign.create_time) >= at(query.since_create_time)) &&
      (!query.before_create_time || at(campaign.create_time) < at(query.before_create_time)) &&
      (!query.since_send_time || at(campaign.send_time) >= at(query.since_send_time)) &&
      (!query.before_send_time || at(campaign.send_time) < at(query.before_send_time)),
  );
  if (query.sort_field) {
    const field = query.sort_field as 'create_time' | 'send_time';
    const direction = query.sort_dir === 'DESC' ? -1 : 1;
    campaigns = [...campaigns].sort((a, b) => direction * ((at(a[field]) || 0) - (at(b[field]) || 0)));
  }
  return json({
    campaigns: campaigns
      .slice(paging.offset, paging.offset + paging.count)
      .map((campaign) => campaignView(campaign, context, isFieldRequested(query.fields, 'campaigns.recipients.recipient_count'))),
    total_items: campaigns.length,
    _links: [link('self', `${context.site.apiRoot}/campaigns`, 'GET'), link('create', `${context.site.apiRoot}/campaigns`, 'POST')],
  });
};

export const getCampaign: Handler = (context) => {
  const campaign = findCampaign(context);
  return campaign ? json(campaignView(campaign, context)) : notFound();
};

export const updateCampaign: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  const body = context.body as Record<string, any>;
  if (!EDITABLE_STATUSES.includes(campaign.status)) return notEditable(campaign);
  const errors = [...settingsErrors(body.settings), ...recipientErrors(context, body.recipients)];
  if (errors.length > 0) return invalidResource(errors);
  campaign.settings = { ...campaign.settings, ...pickSettings(body.settings) };
  if (body.recipients !== undefined) {
    const { segment_opts: segmentOpts, list_id: listId } = body.recipients;
    campaign.recipients = { ...campaign.recipients, list_id: listId, list_name: context.site.listName };
    if (segmentOpts === undefined) delete campaign.recipients.segment_opts;
    else campaign.recipients.segment_opts = structuredClone(segmentOpts);
  }
  context.changed();
  return json(campaignView(campaign, context));
};

export const deleteCampaign: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  context.state.campaigns = context.state.campaigns.filter((candidate) => candidate !== campaign);
  context.changed();
  return noContent();
};

export const setCampaignContent: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  const body = context.body as Record<string, any>;
  if (!EDITABLE_STATUSES.includes(campaign.status)) return notEditable(campaign);
  if (body.template !== undefined || body.url !== undefined || body.archive !== undefined || body.variate_contents !== undefined) {
    return invalidResource([{ field: 'html', message: 'The sandbox supports html and plain_text content only.' }]);
  }
  if (body.html === undefined && body.plain_text === undefined) return invalidResource([{ field: 'html', message: 'Provide html or plain_text.' }]);
  const html = body.html ?? '';
  campaign.content = { html, plain_text: body.plain_text ?? htmlToPlainText(html) };
  context.changed();
  return json(contentView(campaign, context));
};

export const getCampaignContent: Handler = (context) => {
  const campaign = findCampaign(context);
  return campaign ? json(contentView(campaign, context)) : notFound();
};

export const getSendChecklist: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  const items = checklist(campaign, context);
  return json({ is_ready: items.every((item) => item.type !== 'error'), items });
};

export const sendCampaign: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  if (campaign.status === 'schedule') return problem(400, 'Bad Request', 'This campaign is scheduled. Unschedule it before sending it now.');
  if (!EDITABLE_STATUSES.includes(campaign.status)) {
    return problem(400, 'Bad Request', `This campaign has already been sent (status: ${campaign.status}) and cannot be sent again.`);
  }
  if (checklist(campaign, context).some((item) => item.type === 'error')) {
    return problem(400, 'Bad Request', 'Your Campaign is not ready to send.');
  }
  deliverCampaign(campaign, context, context.clock.now());
  context.changed();
  return noContent();
};

/** POST …/actions/schedule `{schedule_time}`: on a quarter-hour, in the future; delivered once the clock passes it. */
export const scheduleCampaign: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  const body = isObject(context.body) ? context.body : {};
  const time = typeof body.schedule_time === 'string' ? new Date(body.schedule_time) : undefined;
  if (!time || Number.isNaN(time.getTime())) return invalidResource([{ field: 'schedule_time', message: 'This value should be a valid UTC date-time (ISO 8601).' }]);
  if (time.getUTCMinutes() % 15 !== 0 || time.getUTCSeconds() !== 0) {
    return invalidResource([{ field: 'schedule_time', message: 'Campaigns can only be scheduled on the quarter-hour (:00, :15, :30, :45).' }]);
  }
  if (!EDITABLE_STATUSES.includes(campaign.status)) return problem(400, 'Bad Request', `This campaign cannot be scheduled: it is ${campaign.status}.`);
  if (time.getTime() <= context.clock.now().getTime()) return problem(400, 'Bad Request', 'This campaign cannot be scheduled: the schedule time is in the past.');
  if (checklist(campaign, context).some((item) => item.type === 'error')) return problem(400, 'Bad Request', 'Your Campaign is not ready to send.');
  campaign.status = 'schedule';
  campaign.send_time = mailchimpTime(time);
  context.changed();
  return noContent();
};

export const unscheduleCampaign: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  if (campaign.status !== 'schedule') return problem(400, 'Bad Request', 'This campaign is not scheduled.');
  campaign.status = 'save';
  campaign.send_time = '';
  context.changed();
  return noContent();
};

/** Sends every scheduled campaign whose time has come; returns whether anything changed. */
export function deliverDueCampaigns(context: Pick<HandlerContext, 'state' | 'site' | 'clock'>): boolean {
  const now = context.clock.now();
  const due = context.state.campaigns.filter((campaign) => campaign.status === 'schedule' && Date.parse(campaign.send_time) <= now.getTime());
  for (const campaign of due) deliverCampaign(campaign, context, new Date(campaign.send_time));
  return due.length > 0;
}

/** The send itself: one outbox email to the segment's subscribed members, merged for the first of them. */
function deliverCampaign(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state' | 'site'>, at: Date): void {
  const recipients = segmentRecipients(campaign, context);
  const first = recipients[0];
  if (first) {
    const values = mergeValues(campaign, context, first.email_address, first);
    context.state.outbox.push({
      id: nextId(context.state, 'outbox', 16),
      kind: 'campaign',
      campaignId: campaign.id,
      to: recipients.map((member) => member.email_address),
      subject: evaluateMergeTags(campaign.settings.subject_line, values),
      fromName: campaign.settings.from_name,
      replyTo: campaign.settings.reply_to,
      html: renderHtml(campaign, context, values),
      sentAt: mailchimpTime(at),
    });
  }
  campaign.status = 'sent';
  campaign.emails_sent = recipients.length;
  campaign.send_time = mailchimpTime(at);
  campaign.recipients.recipient_count = recipients.length;
}

export const sendTestEmail: Handler = (context) => {
  const campaign = findCampaign(context);
  if (!campaign) return notFound();
  const body = context.body as { test_emails: string[]; send_type: 'html' | 'plaintext' };
  const errors: FieldError[] = body.test_emails.length === 0 ? [{ field: 'test_emails', message: 'Provide at least one address.' }] : [];
  body.test_emails.forEach((email, index) => {
    if (!isValidEmail(email)) errors.push({ field: `test_emails[${index}]`, message: 'Please provide a valid email address.' });
  });
  if (errors.length > 0) return invalidResource(errors);
  if (!campaign.content || !campaign.settings.subject_line) return problem(400, 'Bad Request', 'Your Campaign is not ready to send.');
  const testEmails = body.test_emails.map((email) => email.trim());
  const member = audienceMember(context.state, testEmails[0]!);
  const values = mergeValues(campaign, context, testEmails[0]!, member);
  const html = body.send_type === 'plaintext' ? `<pre>${escapeText(evaluateMergeTags(campaign.content.plain_text, values))}</pre>` : renderHtml(campaign, context, values);
  context.state.outbox.push({
    id: nextId(context.state, 'outbox', 16),
    kind: 'test',
    campaignId: campaign.id,
    to: testEmails,
    subject: `[Test] ${evaluateMergeTags(campaign.settings.subject_line, values)}`,
    fromName: campaign.settings.from_name,
    replyTo: campaign.settings.reply_to,
    html,
    sentAt: mailchimpTime(context.clock.now()),
  });
  context.changed();
  return noContent();
};

/** GET /campaign-archive/{id}: the public web version, merged for nobody (like Mailchimp's archive page). */
export function archivePage(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state' | 'site'>): string {
  return evaluateMergeTags(campaign.content?.html ?? '', mergeValues(campaign, context, '', undefined));
}

/** The public Campaign object. It is serialized at once, so it may share nested objects with the state. */
function campaignView(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state' | 'site'>, withRecipientCount = true): Record<string, unknown> {
  const { content: _content, ...view } = campaign;
  const live = withRecipientCount && EDITABLE_STATUSES.includes(campaign.status);
  const recipientCount = live ? segmentRecipients(campaign, context).length : campaign.recipients.recipient_count;
  return {
    ...view,
    ...archiveUrls(campaign.id, context.site),
    recipients: {
      ...campaign.recipients,
      segment_text: describeSegment(campaign.recipients.segment_opts, savedSegment(campaign, context.state)?.name),
      recipient_count: recipientCount,
    },
    report_summary: { opens: 0, unique_opens: 0, open_rate: 0, clicks: 0, subscriber_clicks: 0, click_rate: 0 },
    _links: [link('self', `${context.site.apiRoot}/campaigns/${campaign.id}`, 'GET')],
  };
}

interface ChecklistItem {
  type: 'success' | 'warning' | 'error';
  id: number;
  heading: string;
  details: string;
}

function checklist(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state' | 'site'>): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  const add = (type: ChecklistItem['type'], heading: string, details: string): void => {
    items.push({ type, id: items.length + 1, heading, details });
  };
  if (!campaign.recipients.list_id) {
    add('error', 'Audience', 'You need to choose an audience to send to.');
  } else {
    const recipients = segmentRecipients(campaign, context);
    if (recipients.length === 0) add('error', 'Audience', emptySegmentDetails(campaign, context));
    else add('success', 'Audience', `MailChimp will deliver this to ${recipients.length} subscribed recipient${recipients.length === 1 ? '' : 's'}.`);
  }
  const { subject_line: subject, from_name: fromName, reply_to: replyTo } = campaign.settings;
  if (subject) add('success', 'Subject line', `Subject line is "${subject}".`);
  else add('error', 'Subject line', "You haven't written a subject line yet.");
  if (fromName) add('success', 'From name', `From name is "${fromName}".`);
  else add('error', 'From name', "You haven't entered a from name.");
  if (!replyTo) add('error', 'Reply-to address', "You haven't entered a reply-to email address.");
  else if (context.site.unverifiedDomains.includes(emailDomain(replyTo))) {
    add('error', 'Domain authentication', `${emailDomain(replyTo)} is not a verified domain, so Mailchimp will not send from ${replyTo}.`);
  } else add('success', 'Reply-to address', `Replies go to ${replyTo}.`);
  if (campaign.content && (campaign.content.html || campaign.content.plain_text)) add('success', 'Content', 'Your email has content.');
  else add('error', 'Content', "You haven't designed your email yet.");
  const htmlBytes = Buffer.byteLength(campaign.content?.html ?? '', 'utf8');
  if (htmlBytes > GMAIL_CLIP_BYTES) {
    add('warning', 'Message size', `Your email's HTML is ${Math.ceil(htmlBytes / 1024)} KB; Gmail clips messages over about 102 KB.`);
  }
  return items;
}

function emptySegmentDetails(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state' | 'site'>): string {
  const saved = savedSegment(campaign, context.state);
  const named = [...namedEmails(campaign.recipients.segment_opts), ...(saved?.emails ?? [])];
  const reasons = [...new Set(named.map((email) => email.toLowerCase()))].map((email) => {
    const member = audienceMember(context.state, email);
    if (!member) return `${email} is not in this audience.`;
    return `${email} is ${member.status}, and campaigns only go to subscribed contacts.`;
  });
  const missing = campaign.recipients.segment_opts?.saved_segment_id !== undefined && !saved ? ['The saved segment no longer exists.'] : [];
  return [`Your segment of list ${context.site.listName} is empty.`, ...missing, ...reasons].join(' ');
}

function segmentRecipients(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state'>): SandboxAudienceMember[] {
  if (campaign.recipients.list_id !== context.state.listId) return [];
  const opts = campaign.recipients.segment_opts;
  const saved = opts?.saved_segment_id === undefined ? undefined : new Set(savedSegment(campaign, context.state)?.emails ?? []);
  const inSegment = segmentMatcher(opts, saved);
  return context.state.members.filter((member) => member.status === 'subscribed' && !member.forgotten && inSegment(member));
}

function renderHtml(campaign: SandboxCampaign, context: Pick<HandlerContext, 'site'>, values: MergeValues): string {
  const withFooter = appendFooter(campaign.content?.html ?? '', { listName: context.site.listName, unsubscribeUrl: '*|UNSUB|*', updateProfileUrl: '*|UPDATE_PROFILE|*' });
  return evaluateMergeTags(withFooter, values);
}

function mergeValues(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state' | 'site'>, email: string, member: SandboxAudienceMember | undefined): MergeValues {
  const hash = email ? subscriberHash(email) : '';
  const listId = context.state.listId;
  return {
    ...Object.fromEntries(Object.entries(member?.merge_fields ?? {}).map(([tag, value]) => [tag.toUpperCase(), value])),
    EMAIL: email,
    UNIQID: hash,
    UNSUB: `${context.site.origin}/unsubscribe?id=${listId}&e=${hash}`,
    UPDATE_PROFILE: `${context.site.origin}/profile?id=${listId}&e=${hash}`,
    ARCHIVE: archiveUrls(campaign.id, context.site).archive_url,
    'LIST:NAME': context.site.listName,
    'LIST:COMPANY': 'IntegoReport Sandbox',
    'MC:SUBJECT': campaign.settings.subject_line,
    MC_PREVIEW_TEXT: campaign.settings.preview_text,
    CURRENT_YEAR: String(new Date(campaign.create_time).getUTCFullYear()),
  };
}

/** The contact with this address (any case), unless it was permanently deleted. */
function audienceMember(state: HandlerContext['state'], email: string): SandboxAudienceMember | undefined {
  const lower = email.toLowerCase();
  return state.members.find((candidate) => candidate.email_address.toLowerCase() === lower && !candidate.forgotten);
}

function savedSegment(campaign: SandboxCampaign, state: HandlerContext['state']): StaticSegment | undefined {
  const id = campaign.recipients.segment_opts?.saved_segment_id;
  return id === undefined ? undefined : state.segments.find((segment) => segment.id === id);
}

/** Built from the current port, since a restarted sandbox listens elsewhere. */
function archiveUrls(id: string, site: SiteInfo): Pick<SandboxCampaign, 'archive_url' | 'long_archive_url'> {
  return { archive_url: `${site.origin}/campaign-archive/${id}`, long_archive_url: `${site.origin}/campaign-archive/${id}?u=sandbox&id=${id}` };
}

function contentView(campaign: SandboxCampaign, context: Pick<HandlerContext, 'site'>): Record<string, unknown> {
  return {
    plain_text: campaign.content?.plain_text ?? '',
    html: campaign.content?.html ?? '',
    archive_html: campaign.content?.html ?? '',
    _links: [link('self', `${context.site.apiRoot}/campaigns/${campaign.id}/content`, 'GET')],
  };
}

function recipientErrors(context: HandlerContext, recipients: Record<string, any> | undefined): FieldError[] {
  if (recipients === undefined) return [];
  const errors: FieldError[] = [];
  if (recipients.list_id === '') errors.push({ field: 'recipients.list_id', message: 'This value should not be blank.' });
  else if (recipients.list_id !== context.state.listId) errors.push({ field: 'recipients.list_id', message: `The list ${recipients.list_id} does not exist.` });
  const savedId = recipients.segment_opts?.saved_segment_id;
  if (savedId !== undefined && !context.state.segments.some((segment) => segment.id === savedId)) {
    errors.push({ field: 'recipients.segment_opts.saved_segment_id', message: `The segment ${savedId} does not exist.` });
  }
  return errors;
}

function settingsErrors(settings: Record<string, any> | undefined): FieldError[] {
  if (settings === undefined) return [];
  const errors: FieldError[] = [];
  if (typeof settings.subject_line === 'string' && settings.subject_line.length > 150) {
    errors.push({ field: 'settings.subject_line', message: 'The subject line must be 150 characters or fewer.' });
  }
  if (typeof settings.reply_to === 'string' && settings.reply_to !== '' && !isValidEmail(settings.reply_to)) {
    errors.push({ field: 'settings.reply_to', message: 'This value should be a valid email.' });
  }
  return errors;
}

function pickSettings(settings: unknown): Partial<CampaignSettings> {
  if (!isObject(settings)) return {};
  const known = Object.keys(defaultSettings());
  return Object.fromEntries(Object.entries(settings).filter(([key]) => known.includes(key))) as Partial<CampaignSettings>;
}

function defaultSettings(): CampaignSettings {
  return {
    subject_line: '',
    preview_text: '',
    title: '',
    from_name: '',
    reply_to: '',
    use_conversation: false,
    to_name: '',
    folder_id: '',
    authenticate: true,
    auto_footer: false,
    inline_css: false,
    auto_tweet: false,
    fb_comments: true,
    timewarp: false,
    template_id: 0,
    drag_and_drop: false,
  };
}

function findCampaign(context: HandlerContext): SandboxCampaign | undefined {
  return context.state.campaigns.find((campaign) => campaign.id === context.params.campaignId);
}

function notEditable(campaign: SandboxCampaign): ApiResult {
  if (campaign.status === 'schedule') return problem(400, 'Bad Request', 'This campaign is scheduled. Unschedule it before editing it.');
  return problem(400, 'Bad Request', 'This campaign has already been sent and cannot be edited.');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
