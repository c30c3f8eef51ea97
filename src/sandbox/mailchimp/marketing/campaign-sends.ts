/** Sending a campaign in the simulated Marketing API: the send checklist, send now, schedule and unschedule, scheduled delivery, test emails and the archive page. */
import type { SandboxAudienceMember } from '../../types.js';
import { invalidResource, isObject, json, noContent, notFound, problem, type FieldError, type Handler, type HandlerContext } from '../api.js';
import { appendFooter, evaluateMergeTags, type MergeValues } from '../merge-tags.js';
import { namedEmails } from './segments.js';
import { audienceMember, savedSegment, segmentRecipients } from './campaign-recipients.js';
import { archiveUrls, EDITABLE_STATUSES, findCampaign } from './campaigns.js';
import { emailDomain, isValidEmail, mailchimpTime, nextId, subscriberHash, type SandboxCampaign } from '../state.js';

/** Sandbox-only warning: Gmail shows "[Message clipped]" above roughly this size. */
const GMAIL_CLIP_BYTES = 102 * 1024;

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

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
