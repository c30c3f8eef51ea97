import type { AsyncLocalStorage } from 'node:async_hooks';
import {
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationReference,
} from 'botbuilder';
import type { Actor } from '../../app/ports.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { ConversationChannel, ConversationScope, ConversationStore } from '../../store/conversations.js';
import type { ChatBot } from '../bot.js';
import type { ChatAction, MessageRef } from '../surface.js';
import { errorView, helpView, noticeView } from '../views/builders.js';
import type { View } from '../views/view.js';
import type { BoundedMap } from './memory.js';
import { isWriteBlocked, type TeamsMessenger } from './messenger.js';
import { renderCard, renderConfirmation, renderWorkingCard, TEAMS_COMMAND_PREFIX, type CardActionData } from './render.js';
import { InvokeSlot, TeamsSurface } from './surface.js';

/** Set by the HTTP route around each request: resolves once the HTTP answer has been sent. */
export interface RequestScope {
  responded: Promise<void>;
}

export interface TeamsBotDeps {
  chat: ChatBot;
  messenger: TeamsMessenger;
  conversations: ConversationStore;
  /** How activities reach this bot; recorded with every conversation it remembers. */
  heardThrough: ConversationChannel;
  logger: Logger;
  /** The last view shown in each card we posted, to restore it after Cancel or a slow action. */
  views: BoundedMap<string, View>;
  /** The email Teams reports per user id, and when it was looked up (kept for {@link EMAIL_TTL_MS}). */
  emails: BoundedMap<string, { email: string; at: number }>;
  clock: Clock;
  requestScope: AsyncLocalStorage<RequestScope>;
  /** Work that outlives the turn (commands, long actions); awaited by `idle()` and on close. */
  track(work: Promise<unknown>): void;
  /** How long an invoke waits for the clicked card's new content before answering "Working…". */
  invokeWaitMs: number;
}

/** How long a member's email is trusted before Teams is asked again. */
const EMAIL_TTL_MS = 10 * 60_000;

const RESERVED_KEYS = new Set(['action', 'value', 'confirm', 'confirmed', 'cancelled', 'msteams']);

function cardResponse(card: object): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as Record<string, unknown> };
}

function isCardAction(value: unknown): value is CardActionData & Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && typeof (value as { action?: unknown }).action === 'string';
}

function chatActionFrom(data: CardActionData & Record<string, unknown>): ChatAction {
  const inputs: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!RESERVED_KEYS.has(key) && value !== undefined && value !== null) inputs[key] = String(value);
  }
  return { id: data.action, value: String(data.value ?? ''), inputs };
}

function scopeOf(context: TurnContext): ConversationScope {
  const type = context.activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat' || context.activity.conversation?.isGroup) return 'groupChat';
  return 'personal';
}

/** The user's command text: the @mention of the bot removed, Teams' HTML spaces normalised. */
function commandText(context: TurnContext): string {
  const activity = context.activity;
  const withoutMention = activity.recipient?.id ? TurnContext.removeMentionText(activity, activity.recipient.id) : activity.text;
  return (withoutMention ?? '').replace(/&nbsp;/g, ' ').replace(/<at>[^<]*<\/at>/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Teams in, chat core out: text commands (personal, group chat, channel), card buttons
 * (Action.Execute invokes and Action.Submit messages), install and uninstall events.
 */
export class IntegoReportTeamsBot extends TeamsActivityHandler {
  private readonly known = new Set<string>();

  constructor(private readonly deps: TeamsBotDeps) {
    super();

    this.onMessage(async (context, next) => {
      await this.remember(context);
      const value: unknown = context.activity.value;
      if (isCardAction(value)) {
        await this.cardAction(context, value, 'submit');
      } else {
        const actor = await this.actor(context);
        const surface = this.surface(context);
        this.deps.track(this.deps.chat.handleCommand(actor, commandText(context), surface));
      }
      await next();
    });

    this.onConversationUpdate(async (context, next) => {
      const botId = context.activity.recipient?.id;
      if (context.activity.membersAdded?.some((member) => member.id === botId)) await this.installed(context);
      if (context.activity.membersRemoved?.some((member) => member.id === botId)) await this.removed(context, 'bot removed from the conversation');
      await next();
    });

    this.onInstallationUpdate(async (context, next) => {
      const action = context.activity.action ?? '';
      if (action.startsWith('add')) await this.installed(context);
      if (action.startsWith('remove')) await this.removed(context, 'app uninstalled');
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    await this.remember(context);
    const data = { ...(invokeValue.action.data ?? {}) } as Record<string, unknown>;
    if (typeof data.action !== 'string') data.action = invokeValue.action.verb;
    return (await this.cardAction(context, data as CardActionData & Record<string, unknown>, 'invoke'))!;
  }

  /** One card button press, from an invoke (answered with the new card) or an Action.Submit message. */
  private async cardAction(context: TurnContext, data: CardActionData & Record<string, unknown>, mode: 'invoke' | 'submit'): Promise<AdaptiveCardInvokeResponse | undefined> {
    const { views, messenger } = this.deps;
    const reference = TurnContext.getConversationReference(context.activity);
    const originId = context.activity.replyToId;
    const origin: MessageRef | undefined = originId ? { id: originId } : undefined;
    const previous = origin ? views.get(origin.id) : undefined;

    const show = async (card: object): Promise<AdaptiveCardInvokeResponse | undefined> => {
      if (mode === 'invoke') return cardResponse(card);
      if (origin) await messenger.update(reference, origin.id, card);
      else await messenger.send(reference, card);
      return undefined;
    };

    if (data.confirm && !data.confirmed && !data.cancelled) return show(renderConfirmation({ ...data, confirm: data.confirm }));
    if (data.cancelled) return show(renderCard(previous ?? noticeView('Cancelled. Nothing was done.')));

    const action = chatActionFrom(data);
    const errors = this.deps.chat.validateForm(action);
    if (errors) {
      const problem = Object.values(errors).join(' ');
      return show(renderCard(previous ? { ...previous, tone: 'warning', text: problem } : errorView(problem)));
    }

    const actor = await this.actor(context);
    if (mode === 'submit') {
      this.deps.track(this.deps.chat.handleAction(actor, action, this.surface(context, origin)));
      return undefined;
    }

    const slot = new InvokeSlot(this.deps.requestScope.getStore()?.responded ?? Promise.resolve());
    const surface = this.surface(context, origin, slot);
    const work = this.deps.chat.handleAction(actor, action, surface);
    this.deps.track(work);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      slot.answered.then((view) => ({ kind: 'answer' as const, view })),
      work.then(() => ({ kind: 'done' as const })),
      new Promise<{ kind: 'slow' }>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'slow' }), this.deps.invokeWaitMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome.kind === 'answer') return cardResponse(renderCard(outcome.view));
    slot.close();
    const current = origin ? views.get(origin.id) : undefined;
    if (outcome.kind === 'done') {
      return current ? cardResponse(renderCard(current)) : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Done.' as unknown as Record<string, unknown> };
    }
    if (origin && current) {
      this.deps.track(work.then(async () => {
        if (surface.originUpdated) return;
        await slot.responded;
        await messenger.update(reference, origin.id, renderCard(current));
      }));
    }
    return cardResponse(renderWorkingCard({ title: current?.title, text: current?.text }));
  }

  private surface(context: TurnContext, origin?: MessageRef, slot?: InvokeSlot): TeamsSurface {
    return new TeamsSurface(this.deps.messenger, TurnContext.getConversationReference(context.activity), this.deps.views, origin, slot);
  }

  /**
   * Who pressed or typed: the AAD object id of the (authenticated) activity, and the email Teams reports
   * for the member of this conversation, unless the member belongs to another tenant (a shared channel's guest).
   */
  private async actor(context: TurnContext): Promise<Actor> {
    const from = context.activity.from;
    const now = this.deps.clock.now().getTime();
    let cached = this.deps.emails.get(from.id);
    if (!cached || now - cached.at > EMAIL_TTL_MS) {
      let email = '';
      try {
        const member = await TeamsInfo.getMember(context, from.id);
        const tenant = context.activity.conversation?.tenantId;
        if (!member.tenantId || !tenant || member.tenantId === tenant) email = member.email ?? member.userPrincipalName ?? '';
      } catch (error) {
        this.deps.logger.debug({ err: error }, 'could not read the Teams member profile');
      }
      cached = { email, at: now };
      this.deps.emails.set(from.id, cached);
    }
    return { platform: 'teams', id: from.aadObjectId ?? from.id, name: from.name ?? 'Teams user', email: cached.email || undefined };
  }

  /** Saves the conversation reference the first time we hear from a conversation (per process). */
  private async remember(context: TurnContext): Promise<boolean> {
    const id = context.activity.conversation?.id;
    if (!id || this.known.has(id)) return false;
    const reference = TurnContext.getConversationReference(context.activity) as ConversationReference;
    const channelData = (context.activity.channelData ?? {}) as { team?: { id: string; name?: string }; tenant?: { id: string } };
    const isNew = await this.deps.conversations.remember({
      address: {
        channelId: reference.channelId,
        serviceUrl: reference.serviceUrl,
        conversation: {
          id,
          conversationType: reference.conversation.conversationType,
          tenantId: reference.conversation.tenantId,
          isGroup: reference.conversation.isGroup,
          name: reference.conversation.name,
        },
        bot: { id: reference.bot.id, name: reference.bot.name },
        user: reference.user ? { id: reference.user.id, name: reference.user.name, aadObjectId: reference.user.aadObjectId } : undefined,
        locale: reference.locale,
      },
      scope: scopeOf(context),
      heardThrough: this.deps.heardThrough,
      tenantId: reference.conversation.tenantId ?? channelData.tenant?.id,
      team: channelData.team ? { id: channelData.team.id, name: channelData.team.name } : undefined,
    });
    this.known.add(id);
    return isNew;
  }

  private async installed(context: TurnContext): Promise<void> {
    const id = context.activity.conversation?.id;
    if (id) this.known.delete(id);
    if (!(await this.remember(context))) return;
    const welcome = renderCard({ ...helpView(TEAMS_COMMAND_PREFIX), text: 'Hello! I build monthly service reports from Freshservice and send them to clients through Mailchimp once someone approves them here.' });
    try {
      await context.sendActivity({ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: welcome }] });
    } catch (error) {
      if (!isWriteBlocked(error) || !id) throw error;
      await this.removed(context, 'Teams answered 403 to the welcome message (MessageWritesBlocked)');
    }
  }

  private async removed(context: TurnContext, reason: string): Promise<void> {
    const id = context.activity.conversation?.id;
    if (!id) return;
    this.known.delete(id);
    await this.deps.conversations.markInactive(id, reason);
  }
}
