import path from 'node:path';
import type { Clock } from '../clock.js';
import { z } from 'zod';
import { JsonStore } from './json-store.js';

/** Where a Teams conversation lives: a 1:1 chat, a group chat or a team channel. */
export type ConversationScope = 'personal' | 'groupChat' | 'channel';

/**
 * How the bot heard of a conversation, and so whose serviceUrl its address holds: Teams, through an
 * activity carrying a valid Bot Framework token, or the local playground on this computer.
 */
export type ConversationChannel = 'bot-framework' | 'local';

/** The plain-JSON part of a Bot Framework ConversationReference we need to write there later. */
export interface ConversationAddress {
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean; name?: string };
  bot: { id: string; name?: string };
  user?: { id: string; name?: string; aadObjectId?: string };
  locale?: string;
}

export interface StoredConversation {
  /** The conversation id; the key used by `postProactive`. */
  id: string;
  address: ConversationAddress;
  scope: ConversationScope;
  /** Absent on conversations stored before it was recorded: those are never written to. */
  heardThrough?: ConversationChannel;
  tenantId?: string;
  team?: { id: string; name?: string };
  /** False once the app was removed or blocked; the digest skips inactive conversations. */
  active: boolean;
  firstSeenAt: string;
  updatedAt: string;
  inactiveSince?: string;
  inactiveReason?: string;
}

/** What `conversations.json` must hold: each conversation with the address the bot writes to. */
export const CONVERSATIONS_SCHEMA = z.looseObject({
  conversations: z.record(
    z.string(),
    z.looseObject({
      id: z.string().min(1),
      address: z.looseObject({ channelId: z.string(), serviceUrl: z.string(), conversation: z.looseObject({ id: z.string() }), bot: z.looseObject({ id: z.string() }) }),
      scope: z.enum(['personal', 'groupChat', 'channel']),
      active: z.boolean(),
    }),
  ),
});

interface ConversationsFile {
  conversations: Record<string, StoredConversation>;
}

export interface RememberedConversation {
  address: ConversationAddress;
  scope: ConversationScope;
  heardThrough: ConversationChannel;
  tenantId?: string;
  team?: { id: string; name?: string };
}

/**
 * Conversation references for proactive messages (`DATA_DIR/conversations.json`): saved when the app
 * is installed or first spoken to, marked inactive when it is removed or Teams refuses our writes.
 */
export class ConversationStore {
  private readonly store: JsonStore<ConversationsFile>;

  constructor(
    dataDir: string,
    private readonly clock: Clock,
  ) {
    this.store = new JsonStore<ConversationsFile>(path.join(dataDir, 'conversations.json'), () => ({ conversations: {} }), CONVERSATIONS_SCHEMA);
  }

  /** Saves (or refreshes) a conversation and marks it active again. Returns whether it was new. */
  async remember(entry: RememberedConversation): Promise<boolean> {
    const now = this.clock.now().toISOString();
    return this.store.update((data) => {
      const id = entry.address.conversation.id;
      const previous = data.conversations[id];
      data.conversations[id] = {
        id,
        address: entry.address,
        scope: entry.scope,
        heardThrough: entry.heardThrough,
        tenantId: entry.tenantId ?? previous?.tenantId,
        team: entry.team ?? previous?.team,
        active: true,
        firstSeenAt: previous?.firstSeenAt ?? now,
        updatedAt: now,
      };
      return previous === undefined;
    });
  }

  /** Marks a conversation inactive (uninstalled, blocked) so that scheduled posts skip it. */
  async markInactive(id: string, reason: string): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.store.update((data) => {
      const entry = data.conversations[id];
      if (!entry || !entry.active) return;
      data.conversations[id] = { ...entry, active: false, inactiveSince: now, inactiveReason: reason, updatedAt: now };
    });
  }

  async get(id: string): Promise<StoredConversation | undefined> {
    return (await this.store.read()).conversations[id];
  }

  /** `heardThrough`: only the conversations heard of through that channel (the ones its adapter may write to). */
  async list(options: { activeOnly?: boolean; heardThrough?: ConversationChannel } = {}): Promise<StoredConversation[]> {
    return Object.values((await this.store.read()).conversations).filter(
      (entry) => (!options.activeOnly || entry.active) && (!options.heardThrough || entry.heardThrough === options.heardThrough),
    );
  }
}
