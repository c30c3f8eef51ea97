/** The Campaign resource of the simulated Marketing API: create, list, read, edit, delete, and its content. Sending is in `campaign-sends.ts`. */
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
import { htmlToPlainText } from '../merge-tags.js';
import { describeSegment } from './segments.js';
import { segmentRecipients, savedSegment } from './campaign-recipients.js';
import { isValidEmail, mailchimpTime, md5, nextId, type CampaignSettings, type SandboxCampaign } from '../state.js';

/** A campaign can be edited, sent or scheduled only before it goes out (or while paused). */
export const EDITABLE_STATUSES: SandboxCampaign['status'][] = ['save', 'paused'];

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

/** Built from the current port, since a restarted sandbox listens elsewhere. */
export function archiveUrls(id: string, site: SiteInfo): Pick<SandboxCampaign, 'archive_url' | 'long_archive_url'> {
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

export function findCampaign(context: HandlerContext): SandboxCampaign | undefined {
  return context.state.campaigns.find((campaign) => campaign.id === context.params.campaignId);
}

function notEditable(campaign: SandboxCampaign): ApiResult {
  if (campaign.status === 'schedule') return problem(400, 'Bad Request', 'This campaign is scheduled. Unschedule it before editing it.');
  return problem(400, 'Bad Request', 'This campaign has already been sent and cannot be edited.');
}
