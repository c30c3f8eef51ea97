import http from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface SlackApiCall {
  method: string;
  args: Record<string, any>;
}

export interface SlackMock {
  /** `http://127.0.0.1:PORT/api/` — use as SLACK_API_URL. */
  apiUrl: string;
  /** A fresh response_url on the mock. */
  responseUrl(): string;
  calls: SlackApiCall[];
  /** Bodies POSTed to response_urls and accepted, with the url they went to. */
  responses: Array<{ url: string; body: Record<string, any> }>;
  /** Bodies POSTed to response_urls that the mock refused (a 6th use, or an expired URL). */
  refusedResponses: Array<{ url: string; body: Record<string, any> }>;
  /** Ages a response_url past Slack's 30 minutes: it refuses every later use. */
  expireResponseUrl(url: string): void;
  callsTo(method: string): SlackApiCall[];
  close(): Promise<void>;
}

export interface SlackUser {
  id: string;
  name: string;
  email?: string;
  /** The user's own workspace: T1 (the bot's) unless said otherwise, as for a Slack Connect guest. */
  teamId?: string;
}

/** The workspace the bot is installed in, as auth.test reports it. */
export const BOT_TEAM = 'T1';

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Web API arguments from a form-encoded or JSON body; JSON-valued fields (blocks, view) are parsed. */
function parseArgs(body: string, contentType: string | undefined): Record<string, any> {
  if (contentType?.includes('application/json')) return JSON.parse(body || '{}') as Record<string, any>;
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

/** Slack: a response_url takes "up to 5" answers "within 30 minutes" (src/chat/slack/README.md). */
const RESPONSE_URL_USES = 5;
/** Slack: radio buttons take "a maximum of 10 options". */
const RADIO_OPTIONS = 10;

/** Where a message's or modal's blocks hold more radio options than Slack accepts, as Slack's error message names it. */
function tooManyRadioOptions(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const [index, block] of blocks.entries()) {
    const elements = [block?.element, block?.accessory, ...(Array.isArray(block?.elements) ? block.elements : [])];
    for (const element of elements) {
      if (element?.type === 'radio_buttons' && Array.isArray(element.options) && element.options.length > RADIO_OPTIONS) {
        return `[ERROR] must provide at most ${RADIO_OPTIONS} items [json-pointer:/blocks/${index}/element/options]`;
      }
    }
  }
  return undefined;
}

/**
 * A local stand-in for the Slack Web API and response_urls that records every call. Channels starting with G answer
 * not_in_channel; a response_url refuses a 6th use or one after it expired; more than 10 radio options are refused.
 */
export async function startSlackMock(users: SlackUser[] = []): Promise<SlackMock> {
  const calls: SlackApiCall[] = [];
  const responses: SlackMock['responses'] = [];
  const refusedResponses: SlackMock['refusedResponses'] = [];
  const responseUrlUses = new Map<string, number>();
  const expiredUrls = new Set<string>();
  let ts = 1_700_000_000;
  let responseUrls = 0;
  const server = http.createServer(async (request, response) => {
    const body = await readBody(request);
    const url = request.url ?? '/';
    response.setHeader('content-type', 'application/json');
    if (url.startsWith('/response/')) {
      const answer = { url, body: JSON.parse(body || '{}') as Record<string, any> };
      const uses = (responseUrlUses.get(url) ?? 0) + 1;
      responseUrlUses.set(url, uses);
      // Slack documents the limit, not its answer past it; a 404 with an error code is what the bot must survive.
      if (uses > RESPONSE_URL_USES || expiredUrls.has(url)) {
        refusedResponses.push(answer);
        response.statusCode = 404;
        response.end(JSON.stringify({ ok: false, error: expiredUrls.has(url) ? 'expired_url' : 'used_url' }));
        return;
      }
      const radioProblem = tooManyRadioOptions(answer.body.blocks);
      if (radioProblem) {
        refusedResponses.push(answer);
        response.statusCode = 400;
        response.end(JSON.stringify({ ok: false, error: 'invalid_blocks', response_metadata: { messages: [radioProblem] } }));
        return;
      }
      responses.push(answer);
      response.end('{"ok":true}');
      return;
    }
    const method = url.replace(/^\/api\//, '').split('?')[0]!;
    const args = parseArgs(body, request.headers['content-type']);
    calls.push({ method, args });
    const radioProblem = tooManyRadioOptions(args.view?.blocks ?? args.blocks);
    if (radioProblem) {
      response.end(JSON.stringify({ ok: false, error: args.view ? 'invalid_arguments' : 'invalid_blocks', response_metadata: { messages: [radioProblem] } }));
      return;
    }
    switch (method) {
      case 'chat.postMessage':
        if (String(args.channel).startsWith('G')) {
          response.end(JSON.stringify({ ok: false, error: 'not_in_channel' }));
          return;
        }
        ts += 1;
        response.end(JSON.stringify({ ok: true, channel: args.channel, ts: `${ts}.000100`, message: { text: args.text } }));
        return;
      case 'chat.update':
        response.end(JSON.stringify({ ok: true, channel: args.channel, ts: args.ts }));
        return;
      case 'chat.postEphemeral':
        response.end(JSON.stringify({ ok: true, message_ts: `${ts}.000200` }));
        return;
      case 'views.open':
        response.end(JSON.stringify({ ok: true, view: { id: `V${calls.length}`, ...args.view } }));
        return;
      case 'users.info': {
        const user = users.find((candidate) => candidate.id === args.user);
        response.end(JSON.stringify(user
          ? { ok: true, user: { id: user.id, team_id: user.teamId ?? BOT_TEAM, name: user.name.toLowerCase(), real_name: user.name, deleted: false, is_bot: false, is_email_confirmed: true, profile: { real_name: user.name, email: user.email } } }
          : { ok: false, error: 'user_not_found' }));
        return;
      }
      case 'auth.test':
        response.end(JSON.stringify({ ok: true, team_id: BOT_TEAM, team: 'msp', user_id: 'U0BOT', bot_id: 'B0BOT' }));
        return;
      default:
        response.end(JSON.stringify({ ok: true }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: () => `${base}/response/${(responseUrls += 1)}`,
    calls,
    responses,
    refusedResponses,
    expireResponseUrl: (responseUrl) => expiredUrls.add(new URL(responseUrl).pathname),
    callsTo: (method) => calls.filter((call) => call.method === method),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every button of a Block Kit message: section accessories and actions elements. */
export function buttonsOf(blocks: Array<Record<string, any>>): Array<Record<string, any>> {
  return blocks.flatMap((block) => [block.accessory, ...(block.elements ?? [])]).filter((element) => element?.type === 'button');
}

/** Headers Slack would send for `body`, signed with `secret` at `timestamp` (unix seconds). */
export function slackSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

let triggers = 0;

/** A fresh trigger id, as Slack gives each interaction. */
export function triggerId(): string {
  triggers += 1;
  return `${triggers}.1234.abcd${triggers}`;
}

export function slashCommandBody(fields: { text: string; userId: string; userName?: string; channelId?: string; responseUrl: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: 'deprecated',
    team_id: 'T1',
    team_domain: 'msp',
    channel_id: fields.channelId ?? 'C1',
    channel_name: 'reports',
    user_id: fields.userId,
    user_name: fields.userName ?? fields.userId.toLowerCase(),
    command: '/integoreport',
    text: fields.text,
    api_app_id: 'A1',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? triggerId(),
  }).toString();
}

/** A form-encoded interaction (`payload=<json>`), as Slack posts block_actions and view_submission. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function blockActionPayload(fields: {
  userId: string;
  actionId: string;
  value: string;
  channelId?: string;
  messageTs: string;
  responseUrl: string;
  triggerId?: string;
  ephemeral?: boolean;
}): Record<string, unknown> {
  const channel = fields.channelId ?? 'C1';
  return {
    type: 'block_actions',
    user: { id: fields.userId, username: fields.userId.toLowerCase(), name: fields.userId.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'deprecated',
    container: { type: 'message', message_ts: fields.messageTs, channel_id: channel, is_ephemeral: Boolean(fields.ephemeral) },
    trigger_id: fields.triggerId ?? triggerId(),
    team: { id: 'T1', domain: 'msp' },
    channel: { id: channel, name: 'reports' },
    message: fields.ephemeral ? undefined : { type: 'message', ts: fields.messageTs, text: '' },
    response_url: fields.responseUrl,
    actions: [{ type: 'button', action_id: fields.actionId, block_id: 'b1', value: fields.value, action_ts: `${Date.now() / 1000}` }],
  };
}

export function viewSubmissionPayload(fields: { userId: string; view: Record<string, any>; values: Record<string, Record<string, unknown>> }): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'msp' },
    user: { id: fields.userId, username: fields.userId.toLowerCase(), name: fields.userId.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'deprecated',
    trigger_id: triggerId(),
    view: {
      id: 'V1',
      team_id: 'T1',
      type: 'modal',
      callback_id: fields.view.callback_id,
      private_metadata: fields.view.private_metadata,
      blocks: fields.view.blocks,
      state: { values: fields.values },
      hash: 'h',
      title: fields.view.title,
    },
  };
}
