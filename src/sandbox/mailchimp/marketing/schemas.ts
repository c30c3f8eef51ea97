/**
 * The requests our Mailchimp client makes, as the Marketing API spec describes them
 * (`mailchimp/mailchimp-client-lib-codegen` `spec/marketing.json`, version 3.0.55): each endpoint's query
 * parameters and request body, written out by hand as JSON Schema. Only properties the spec names are
 * allowed (the spec sets no `additionalProperties`; refusing what it does not describe, read-only fields
 * included, is the sandbox's stricter reading). Of the 41 segment condition types only the two the sandbox
 * evaluates are described, so any other is refused.
 */

export type Schema = Record<string, unknown>;

/** What one endpoint accepts: its query parameters (always an object) and, for POST/PUT/PATCH, its body. */
export interface RequestContract {
  query: Schema;
  body?: Schema;
}

const string: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const number: Schema = { type: 'number' };
const boolean: Schema = { type: 'boolean' };
const anyObject: Schema = { type: 'object' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const listOf = (items: Schema): Schema => ({ type: 'array', items });
const oneOf = (...values: string[]): Schema => ({ type: 'string', enum: values });

/** An object with exactly these properties (any of them optional unless `required`). */
function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

/** Every GET takes `fields` and `exclude_fields`: comma-separated paths (`style: form, explode: false`). */
const projection = { fields: string, exclude_fields: string };
const paging = { count: { type: 'integer', maximum: 1000 }, offset: integer };
const sortDirection = oneOf('ASC', 'DESC');

const MEMBER_STATUS = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'];

/** `recipients.segment_opts.conditions[]`: "Email Segment" and "Text or Number Merge Field Segment". */
const segmentCondition: Schema = {
  type: 'object',
  required: ['condition_type'],
  discriminator: { propertyName: 'condition_type' },
  oneOf: [
    object(
      {
        condition_type: oneOf('EmailAddress'),
        field: oneOf('merge0', 'EMAIL'),
        op: oneOf('is', 'not', 'contains', 'notcontain', 'starts', 'ends', 'greater', 'less'),
        value: string,
      },
      ['condition_type', 'field', 'op'],
    ),
    object(
      {
        condition_type: oneOf('TextMerge'),
        field: string,
        op: oneOf('is', 'not', 'contains', 'notcontain', 'starts', 'ends', 'greater', 'less', 'blank', 'blank_not'),
        value: string,
      },
      ['condition_type', 'field', 'op'],
    ),
  ],
};

const campaignRecipients = (withPrebuiltSegment: boolean): Schema =>
  object(
    {
      list_id: string,
      segment_opts: object({
        saved_segment_id: integer,
        ...(withPrebuiltSegment ? { prebuilt_segment_id: string } : {}),
        match: oneOf('any', 'all'),
        conditions: listOf(segmentCondition),
      }),
    },
    ['list_id'],
  );

const campaignSettings = {
  subject_line: string,
  preview_text: string,
  title: string,
  from_name: string,
  reply_to: string,
  use_conversation: boolean,
  to_name: string,
  folder_id: string,
  authenticate: boolean,
  auto_footer: boolean,
  inline_css: boolean,
  auto_tweet: boolean,
  auto_fb_post: listOf(string),
  fb_comments: boolean,
  template_id: integer,
};

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Campaign parts POST and PATCH share besides recipients and settings. */
const campaignExtras = {
  variate_settings: object(
    {
      winner_criteria: oneOf('opens', 'clicks', 'manual', 'total_revenue'),
      wait_time: integer,
      test_size: integer,
      subject_lines: listOf(string),
      send_times: listOf(dateTime),
      from_names: listOf(string),
      reply_to_addresses: listOf(string),
    },
    ['winner_criteria'],
  ),
  tracking: object({
    opens: boolean,
    html_clicks: boolean,
    text_clicks: boolean,
    goal_tracking: boolean,
    ecomm360: boolean,
    google_analytics: string,
    clicktale: string,
    salesforce: object({ campaign: boolean, notes: boolean }),
    capsule: object({ notes: boolean }),
  }),
  rss_opts: object(
    {
      feed_url: string,
      frequency: oneOf('daily', 'weekly', 'monthly'),
      schedule: object({
        hour: { type: 'integer', minimum: 0, maximum: 23 },
        daily_send: object(Object.fromEntries(WEEKDAYS.map((weekday) => [weekday, boolean]))),
        weekly_send_day: oneOf(...WEEKDAYS),
        monthly_send_date: { type: 'number', minimum: 0, maximum: 31 },
      }),
      constrain_rss_img: boolean,
    },
    ['feed_url', 'frequency'],
  ),
  social_card: object({ image_url: string, description: string, title: string }),
};

const ARCHIVE_TYPES = ['zip', 'tar.gz', 'tar.bz2', 'tar', 'tgz', 'tbz'];
const campaignContentParts = {
  plain_text: string,
  html: string,
  url: string,
  template: object({ id: integer, sections: anyObject }, ['id']),
  archive: object({ archive_content: string, archive_type: oneOf(...ARCHIVE_TYPES) }, ['archive_content']),
};

const noQuery = object({});
const projectionOnly = object(projection);

/** Keyed by the sandbox's route: `METHOD /path/:param`. */
export const MARKETING_CONTRACTS: Record<string, RequestContract> = {
  'GET /lists/:listId/members': {
    query: object({
      ...projection,
      ...paging,
      email_type: string,
      status: oneOf(...MEMBER_STATUS, 'archived'),
      since_timestamp_opt: string,
      before_timestamp_opt: string,
      since_last_changed: string,
      before_last_changed: string,
      unique_email_id: string,
      vip_only: boolean,
      interest_category_id: string,
      interest_ids: string,
      interest_match: oneOf('any', 'all', 'none'),
      sort_field: oneOf('timestamp_opt', 'timestamp_signup', 'last_changed'),
      sort_dir: sortDirection,
      since_last_campaign: boolean,
      unsubscribed_since: string,
    }),
  },
  'GET /lists/:listId/members/:hash': { query: projectionOnly },
  'PUT /lists/:listId/members/:hash': {
    query: object({ skip_merge_validation: boolean }),
    body: object(
      {
        email_address: string,
        status_if_new: oneOf(...MEMBER_STATUS),
        email_type: string,
        status: oneOf(...MEMBER_STATUS),
        merge_fields: anyObject,
        interests: { type: 'object', additionalProperties: boolean },
        language: string,
        vip: boolean,
        location: object({ latitude: number, longitude: number }),
        marketing_permissions: listOf(object({ marketing_permission_id: string, enabled: boolean })),
        ip_signup: string,
        timestamp_signup: dateTime,
        ip_opt: string,
        timestamp_opt: dateTime,
      },
      ['email_address', 'status_if_new'],
    ),
  },
  'POST /lists/:listId/members/:hash/tags': {
    query: noQuery,
    body: object({ tags: listOf(object({ name: string, status: oneOf('inactive', 'active') }, ['name', 'status'])), is_syncing: boolean }, ['tags']),
  },
  'GET /campaigns': {
    query: object({
      ...projection,
      ...paging,
      type: oneOf('regular', 'plaintext', 'absplit', 'rss', 'variate'),
      status: oneOf('save', 'paused', 'schedule', 'sending', 'sent'),
      before_send_time: dateTime,
      since_send_time: dateTime,
      before_create_time: dateTime,
      since_create_time: dateTime,
      list_id: string,
      folder_id: string,
      member_id: string,
      sort_field: oneOf('create_time', 'send_time'),
      sort_dir: sortDirection,
    }),
  },
  'POST /campaigns': {
    query: noQuery,
    body: object(
      {
        type: oneOf('regular', 'plaintext', 'absplit', 'rss', 'variate'),
        recipients: campaignRecipients(false),
        settings: object(campaignSettings),
        ...campaignExtras,
        content_type: oneOf('template', 'multichannel'),
      },
      ['type'],
    ),
  },
  'GET /campaigns/:campaignId': { query: projectionOnly },
  'PATCH /campaigns/:campaignId': {
    query: noQuery,
    body: object(
      {
        recipients: campaignRecipients(true),
        settings: object(campaignSettings, ['subject_line', 'from_name', 'reply_to']),
        ...campaignExtras,
      },
      ['settings'],
    ),
  },
  'PUT /campaigns/:campaignId/content': {
    query: noQuery,
    body: object({ ...campaignContentParts, variate_contents: listOf(object({ content_label: string, ...campaignContentParts }, ['content_label'])) }),
  },
  'GET /campaigns/:campaignId/send-checklist': { query: projectionOnly },
  'POST /campaigns/:campaignId/actions/send': { query: noQuery },
  'POST /campaigns/:campaignId/actions/test': {
    query: noQuery,
    body: object({ test_emails: listOf(string), send_type: oneOf('html', 'plaintext') }, ['test_emails', 'send_type']),
  },
  'POST /file-manager/files': {
    query: noQuery,
    body: object({ folder_id: integer, name: string, file_data: string }, ['name', 'file_data']),
  },
  'GET /file-manager/files/:fileId': { query: projectionOnly },
};
