import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';

/** One message the bot posted in a local conversation, with how often it was replaced. */
export interface PostedActivity {
  id: string;
  conversationId: string;
  replyToId?: string;
  /** 1 when posted, +1 on every update. */
  version: number;
  deleted?: boolean;
  activity: Record<string, unknown>;
}

export interface ConnectorEvent {
  kind: 'posted' | 'updated' | 'deleted';
  message: PostedActivity;
}

export interface Member {
  id: string;
  name: string;
  email?: string;
  userPrincipalName?: string;
  objectId?: string;
}

/** The playground runs for days; the oldest messages are forgotten beyond this. */
const MESSAGE_LIMIT = 2000;

/**
 * A local stand-in for the Bot Framework connector service: the REST paths botbuilder calls to
 * post, reply to, update and delete activities and to read members. Used by the playground as
 * its channel and by tests as the mock Teams service; everything stays in memory.
 */
export class LocalConnector {
  private readonly messages = new Map<string, PostedActivity>();
  private readonly emitter = new EventEmitter();
  private sequence = 0;

  constructor(private readonly members: (conversationId: string, memberId: string) => Member | undefined) {
    this.emitter.setMaxListeners(100);
  }

  /** Express routes, to be mounted under the serviceUrl path (e.g. `/playground/connector`). */
  router(): Router {
    const router = express.Router();
    router.use(express.json({ limit: '1mb' }));
    router.post('/v3/conversations', (request, response) => {
      const id = `local-${randomUUID()}`;
      const activity = request.body?.activity as Record<string, unknown> | undefined;
      const posted = activity ? this.post(id, activity) : undefined;
      response.status(201).json({ id, activityId: posted?.id, serviceUrl: undefined });
    });
    router.post('/v3/conversations/:conversationId/activities', (request, response) => {
      response.status(201).json({ id: this.post(request.params.conversationId, request.body ?? {}).id });
    });
    router.post('/v3/conversations/:conversationId/activities/:activityId', (request, response) => {
      response.status(201).json({ id: this.post(request.params.conversationId, request.body ?? {}, request.params.activityId).id });
    });
    router.put('/v3/conversations/:conversationId/activities/:activityId', (request, response) => {
      const updated = this.update(request.params.conversationId, request.params.activityId, request.body ?? {});
      if (!updated) {
        response.status(404).json({ error: { code: 'ActivityNotFoundInConversation', message: 'Unknown activity' } });
        return;
      }
      response.json({ id: updated.id });
    });
    router.delete('/v3/conversations/:conversationId/activities/:activityId', (request, response) => {
      const message = this.messages.get(request.params.activityId);
      if (message && message.conversationId === request.params.conversationId) {
        message.deleted = true;
        this.emitter.emit('event', { kind: 'deleted', message } satisfies ConnectorEvent);
      }
      response.status(200).json({});
    });
    router.get('/v3/conversations/:conversationId/members/:memberId', (request, response) => {
      const member = this.members(request.params.conversationId, request.params.memberId);
      if (!member) {
        response.status(404).json({ error: { code: 'MemberNotFoundInConversation', message: 'Unknown member' } });
        return;
      }
      response.json(member);
    });
    router.get('/v3/conversations/:conversationId/members', (request, response) => {
      const member = this.members(request.params.conversationId, '');
      response.json(member ? [member] : []);
    });
    router.use((request, response) => {
      response.status(404).json({ error: { code: 'NotFound', message: `The local connector has no ${request.method} ${request.path}` } });
    });
    return router;
  }

  /** Messages of one conversation in posting order, each in its latest version. */
  conversation(conversationId: string): PostedActivity[] {
    return [...this.messages.values()].filter((message) => message.conversationId === conversationId && !message.deleted);
  }

  get(activityId: string): PostedActivity | undefined {
    return this.messages.get(activityId);
  }

  onEvent(listener: (event: ConnectorEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Resolves with the first message (now or later) for which `test` holds. */
  waitFor(test: (message: PostedActivity) => boolean, timeoutMs = 10_000): Promise<PostedActivity> {
    const existing = [...this.messages.values()].find((message) => !message.deleted && test(message));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`No matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onEvent((event) => {
        if (event.kind !== 'deleted' && test(event.message)) {
          clearTimeout(timer);
          stop();
          resolve(event.message);
        }
      });
    });
  }

  private post(conversationId: string, activity: Record<string, unknown>, replyToId?: string): PostedActivity {
    this.sequence += 1;
    const id = `msg-${String(this.sequence).padStart(5, '0')}`;
    const message: PostedActivity = { id, conversationId, replyToId, version: 1, activity: { ...activity, id } };
    this.messages.set(id, message);
    if (this.messages.size > MESSAGE_LIMIT) this.messages.delete(this.messages.keys().next().value as string);
    this.emitter.emit('event', { kind: 'posted', message } satisfies ConnectorEvent);
    return message;
  }

  private update(conversationId: string, activityId: string, activity: Record<string, unknown>): PostedActivity | undefined {
    const message = this.messages.get(activityId);
    if (!message || message.conversationId !== conversationId) return undefined;
    message.version += 1;
    message.activity = { ...activity, id: activityId };
    this.emitter.emit('event', { kind: 'updated', message } satisfies ConnectorEvent);
    return message;
  }
}
