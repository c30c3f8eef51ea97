import type { LocalConnector, PostedActivity } from '../../src/server/playground/connector.js';

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
  email: string;
}

export interface TeamsConversation {
  id: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
  teamId?: string;
}

export const BOT = { id: '28:integoreport-bot', name: 'IntegoReport' };

type Card = { body?: unknown[]; actions?: CardAction[] };
export type CardAction = { type: string; title: string; verb?: string; data?: Record<string, unknown>; url?: string; fallback?: { data: Record<string, unknown> } };

/** The Adaptive Card of a posted message. */
export function cardOf(message: PostedActivity): Card {
  const attachments = message.activity.attachments as Array<{ contentType: string; content: Card }> | undefined;
  const card = attachments?.find((attachment) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  if (!card) throw new Error(`message ${message.id} has no Adaptive Card`);
  return card;
}

/** Every action of a card: card-level and inside ActionSets. */
export function actionsOf(card: Card): CardAction[] {
  const found: CardAction[] = [...(card.actions ?? [])];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.type === 'ActionSet') found.push(...(record.actions as CardAction[]));
      else Object.values(record).forEach(visit);
    }
  };
  visit(card.body);
  return found;
}

/** All TextBlock and Fact texts of a card, joined, with markdown escapes removed. */
export function textOf(card: Card): string {
  const texts: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.text === 'string') texts.push(record.text);
      if (record.type === 'FactSet') for (const fact of record.facts as Array<{ title: string; value: string }>) texts.push(`${fact.title}: ${fact.value}`);
      Object.values(record).forEach(visit);
    }
  };
  visit(card.body);
  return texts.join('\n').replace(/\\([\\`*_~[\]<>#+\-.)])/g, '$1');
}

/** Drives /api/messages the way Teams does, with the local connector as the Teams service. */
export class TeamsClient {
  constructor(
    private readonly botUrl: string,
    private readonly serviceUrl: string,
    readonly connector: LocalConnector,
    private readonly idle: () => Promise<void>,
    private readonly headers: () => Record<string, string> = () => ({}),
  ) {}

  base(user: TeamsUser, conversation: TeamsConversation): Record<string, unknown> {
    return {
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: BOT,
      conversation: { id: conversation.id, conversationType: conversation.conversationType, tenantId: 'tenant-1', isGroup: conversation.conversationType !== 'personal' },
      channelData: { tenant: { id: 'tenant-1' }, ...(conversation.teamId ? { team: { id: conversation.teamId, name: 'Service desk' }, channel: { id: conversation.teamId } } : {}) },
    };
  }

  async post(activity: Record<string, unknown>): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.headers() },
      body: JSON.stringify({ id: `in-${Math.random().toString(36).slice(2)}`, ...activity }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? safeJson(text) : undefined };
  }

  /** Sends a text message and returns the bot's new messages once it is done. */
  async say(user: TeamsUser, conversation: TeamsConversation, text: string, extra: Record<string, unknown> = {}): Promise<PostedActivity[]> {
    const before = new Set(this.connector.conversation(conversation.id).map((message) => message.id));
    const result = await this.post({ ...this.base(user, conversation), type: 'message', text, ...extra });
    if (result.status !== 200) throw new Error(`message answered ${result.status}: ${JSON.stringify(result.body)}`);
    await this.idle();
    return this.connector.conversation(conversation.id).filter((message) => !before.has(message.id));
  }

  /**
   * Presses an Action.Execute button on the card the message shows (or on `shown`, a card Teams is
   * showing from an earlier invoke answer); returns the invoke answer and the bot's new messages.
   */
  async click(user: TeamsUser, conversation: TeamsConversation, message: PostedActivity, title: string, inputs: Record<string, string> = {}, shown?: Card) {
    const action = actionsOf(shown ?? cardOf(this.connector.get(message.id) ?? message)).find((candidate) => candidate.title === title);
    if (!action || action.type !== 'Action.Execute') throw new Error(`no "${title}" button on ${message.id}`);
    const before = new Set(this.connector.conversation(conversation.id).map((entry) => entry.id));
    const result = await this.post({
      ...this.base(user, conversation),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: message.id,
      value: { action: { type: 'Action.Execute', verb: action.verb, data: { ...action.data, ...inputs } }, trigger: 'manual' },
    });
    await this.idle();
    return {
      status: result.status,
      response: result.body as { statusCode: number; type: string; value: Card },
      posted: this.connector.conversation(conversation.id).filter((entry) => !before.has(entry.id)),
      now: this.connector.get(message.id)!,
    };
  }

  /** Presses a button through its Action.Submit fallback (older clients): a message carrying `value`. */
  async submit(user: TeamsUser, conversation: TeamsConversation, message: PostedActivity, title: string, inputs: Record<string, string> = {}) {
    const action = actionsOf(cardOf(this.connector.get(message.id) ?? message)).find((candidate) => candidate.title === title);
    if (!action?.fallback) throw new Error(`no "${title}" button with a Submit fallback on ${message.id}`);
    const result = await this.post({ ...this.base(user, conversation), type: 'message', replyToId: message.id, value: { ...action.fallback.data, ...inputs } });
    await this.idle();
    return { status: result.status, now: this.connector.get(message.id)! };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
