import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express, Request, Response } from 'express';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { packagePath } from '../../package-files.js';
import { LocalConnector, type ConnectorEvent, type Member, type PostedActivity } from './connector.js';
import { escapeHtml, outboxPage, type OutboxEntry } from './outbox.js';

export interface PlaygroundDeps {
  config: Config;
  logger: Logger;
  /** The emails the sandbox Mailchimp delivered (absent outside sandbox mode). */
  outbox?: () => OutboxEntry[] | Promise<OutboxEntry[]>;
  /** Who "you" are in the playground; the email receives "Send test to me". */
  user?: Member;
}

export interface PlaygroundMount {
  connector: LocalConnector;
  user: Member;
  /** Where the connector is mounted: the serviceUrl path of the playground's activities. */
  connectorPath: string;
}

/** The local connector's place on this server; the Teams surface answers anonymous activities only through it. */
export const PLAYGROUND_CONNECTOR_PATH = '/playground/connector/';

/** The page's own files stay in the source tree, whether the sources or the build run. */
const pageFolder = packagePath('src', 'server', 'playground', 'page');
const adaptiveCardsFolder = path.join(path.dirname(createRequire(import.meta.url).resolve('adaptivecards/package.json')), 'dist');
const iconFolder = packagePath('manifest', 'teams');
const PLAYGROUND_BOT = { id: '28:integoreport-playground-bot', name: 'IntegoReport' };
const CONVERSATION_ID = /^playground-[A-Za-z0-9-]{8,64}$/;

function defaultUser(config: Config): Member {
  const email = config.approvers.flatMap((approver) => (approver.kind === 'email' ? [approver.email] : []))[0] ?? 'you@sandbox-msp.example';
  return { id: '29:playground-user', name: 'You (playground)', email, userPrincipalName: email, objectId: 'playground-user' };
}

function eventPayload(event: ConnectorEvent | { kind: 'posted'; message: PostedActivity }): string {
  const { message } = event;
  const attachments = (message.activity.attachments as Array<{ contentType?: string; content?: unknown }> | undefined) ?? [];
  return JSON.stringify({
    kind: event.kind,
    id: message.id,
    version: message.version,
    replyToId: message.replyToId,
    text: typeof message.activity.text === 'string' ? message.activity.text : undefined,
    cards: attachments.filter((attachment) => attachment.contentType === 'application/vnd.microsoft.card.adaptive').map((attachment) => attachment.content),
  });
}

/**
 * The local chat playground: a page at `/` that talks to the real `/api/messages` as a Bot
 * Framework channel, with this server's local connector as its serviceUrl, and draws the bot's
 * Adaptive Cards with the official renderer. Needs the bot in anonymous mode (no MICROSOFT_APP_ID).
 */
export function mountPlayground(routes: Express, deps: PlaygroundDeps): PlaygroundMount {
  const user = deps.user ?? defaultUser(deps.config);
  const connector = new LocalConnector((_conversationId, memberId) => (memberId === '' || memberId === user.id ? user : undefined));
  const enabled = !deps.config.teams.appId;

  const sendPage = async (_request: Request, response: Response) => {
    if (!enabled) {
      response.type('html').send(`<!doctype html><meta charset="utf-8"><title>IntegoReport</title><link rel="stylesheet" href="/playground/assets/playground.css"><main class="off"><h1>IntegoReport</h1><p>The playground is off because MICROSOFT_APP_ID is set: the Teams endpoint only accepts activities signed by the Bot Framework. Chat with the bot in Teams or Slack, or unset MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to use the playground locally.</p></main>`);
      return;
    }
    response.type('html').send(await fs.readFile(path.join(pageFolder, 'index.html'), 'utf8'));
  };
  routes.get('/', sendPage);
  routes.get('/playground', sendPage);
  /**
   * Each file is sent by its name inside its folder (`root`), so only that name is checked for a leading dot:
   * the install path itself may hold dot-folders (~/.local/share/…), which `send` refuses in a full path.
   */
  const asset = (route: string, folder: string, file: string, type: string) =>
    routes.get(route, (_request, response) => {
      response.type(type).sendFile(file, { root: folder });
    });
  asset('/favicon.ico', iconFolder, 'color.png', 'image/png');
  asset('/playground/assets/adaptivecards.min.js', adaptiveCardsFolder, 'adaptivecards.min.js', 'application/javascript');
  asset('/playground/assets/playground.js', pageFolder, 'playground.js', 'application/javascript');
  asset('/playground/assets/playground.css', pageFolder, 'playground.css', 'text/css');

  routes.get('/playground/session', (request, response) => {
    response.json({
      enabled,
      sandbox: deps.config.sandbox,
      serviceUrl: `${request.protocol}://${request.get('host')}${PLAYGROUND_CONNECTOR_PATH}`,
      bot: PLAYGROUND_BOT,
      user: { id: user.id, name: user.name, aadObjectId: user.objectId, email: user.email },
      outbox: Boolean(deps.outbox),
    });
  });

  routes.use(PLAYGROUND_CONNECTOR_PATH, connector.router());

  routes.get('/playground/events', (request, response) => {
    const conversationId = String(request.query.conversation ?? '');
    if (!CONVERSATION_ID.test(conversationId)) {
      response.status(400).json({ error: 'conversation must look like playground-<id>' });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (const message of connector.conversation(conversationId)) response.write(`data: ${eventPayload({ kind: 'posted', message })}\n\n`);
    const stop = connector.onEvent((event) => {
      if (event.message.conversationId === conversationId) response.write(`data: ${eventPayload(event)}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    request.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
  });

  routes.get('/playground/outbox', async (_request, response) => {
    const emails = deps.outbox ? await deps.outbox() : [];
    response.type('html').send(outboxPage(emails));
  });
  routes.get('/playground/outbox/:id', async (request, response) => {
    const email = (deps.outbox ? await deps.outbox() : []).find((entry) => entry.id === request.params.id);
    if (!email) {
      response.status(404).type('html').send(`<!doctype html><meta charset="utf-8"><p>No email ${escapeHtml(request.params.id)} in the sandbox outbox.</p>`);
      return;
    }
    response.set('content-security-policy', "sandbox; default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; frame-ancestors 'none'");
    response.type('html').send(email.html);
  });

  deps.logger.info(enabled ? 'Chat playground at / (local Teams channel)' : 'Chat playground off: MICROSOFT_APP_ID is set');
  return { connector, user, connectorPath: PLAYGROUND_CONNECTOR_PATH };
}
