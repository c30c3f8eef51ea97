import type { ConversationReference } from 'botbuilder';
import type { CardAddress } from '../../store/sends.js';
import type { ChatSurface, ConversationRef, MessageRef } from '../surface.js';
import type { View } from '../views/view.js';
import type { BoundedMap } from './memory.js';
import type { TeamsMessenger } from './messenger.js';
import { renderCard, TEAMS_COMMAND_PREFIX } from './render.js';

/**
 * The first replacement of the clicked card while an `adaptiveCard/action` invoke is still open:
 * it becomes the invoke's answer (the card changes in place). Later replacements wait until that
 * answer has left, so an older card can never overwrite a newer one.
 */
export class InvokeSlot {
  private answerView?: (view: View) => void;
  private isOpen = true;
  readonly answered: Promise<View>;

  constructor(readonly responded: Promise<void>) {
    this.answered = new Promise<View>((resolve) => {
      this.answerView = resolve;
    });
  }

  get open(): boolean {
    return this.isOpen;
  }

  answer(view: View): void {
    this.isOpen = false;
    this.answerView?.(view);
  }

  close(): void {
    this.isOpen = false;
  }
}

/** The ChatSurface for one Teams conversation: replies post cards, updates replace them. */
export class TeamsSurface implements ChatSurface {
  readonly commandPrefix = TEAMS_COMMAND_PREFIX;
  /** Whether the clicked card was replaced by this action (in the invoke answer or later). */
  originUpdated = false;

  constructor(
    private readonly messenger: TeamsMessenger,
    private readonly reference: Partial<ConversationReference>,
    private readonly views: BoundedMap<string, View>,
    readonly origin?: MessageRef,
    private readonly slot?: InvokeSlot,
  ) {}

  /** A channel's own conversation, without the `;messageid=` of the thread the message was typed in. */
  get conversation(): ConversationRef | undefined {
    const id = this.reference.conversation?.id;
    return id ? { platform: 'teams', id: id.split(';')[0]! } : undefined;
  }

  addressOf(ref: MessageRef): CardAddress | undefined {
    const conversation = this.reference.conversation?.id;
    return conversation && ref.id ? { platform: 'teams', target: conversation, id: ref.id } : undefined;
  }

  async reply(view: View): Promise<MessageRef> {
    const id = await this.messenger.send(this.reference, renderCard(view));
    if (id) this.views.set(id, view);
    return { id };
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    this.views.set(ref.id, view);
    const isOrigin = ref.id === this.origin?.id;
    if (isOrigin) this.originUpdated = true;
    if (isOrigin && this.slot?.open) {
      this.slot.answer(view);
      return;
    }
    if (isOrigin && this.slot) await this.slot.responded;
    await this.messenger.update(this.reference, ref.id, renderCard(view));
  }

  /** Teams bots have no per-user ephemeral messages in a conversation; the notice is posted as a reply. */
  async ephemeral(view: View): Promise<void> {
    await this.reply(view);
  }
}
