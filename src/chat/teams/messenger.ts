import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Logger } from '../../logger.js';
import type { ConversationStore } from '../../store/conversations.js';

/** Teams answers 403 when the app was removed from the conversation or the user blocked it. */
export function isWriteBlocked(error: unknown): boolean {
  const status = (error as { statusCode?: number; status?: number } | undefined)?.statusCode ?? (error as { status?: number } | undefined)?.status;
  return status === 403;
}

/**
 * Posts and replaces cards in a conversation outside of (or after) the turn that asked for them,
 * through `continueConversationAsync`. A 403 marks the conversation inactive instead of failing forever.
 */
export class TeamsMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly conversations: ConversationStore,
    private readonly logger: Logger,
  ) {}

  async send(reference: Partial<ConversationReference>, card: object): Promise<string> {
    let id = '';
    await this.withConversation(reference, async (context) => {
      const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      id = sent?.id ?? '';
    });
    return id;
  }

  async update(reference: Partial<ConversationReference>, activityId: string, card: object): Promise<void> {
    await this.withConversation(reference, async (context) => {
      await context.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: activityId });
    });
  }

  private async withConversation(
    reference: Partial<ConversationReference>,
    work: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    let failure: unknown;
    // The adapter routes errors thrown in the callback to onTurnError, so they are caught here to reach the caller.
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      try {
        await work(context);
      } catch (error) {
        failure = error;
      }
    });
    if (failure === undefined) return;
    const conversationId = reference.conversation?.id;
    if (isWriteBlocked(failure) && conversationId) {
      this.logger.warn({ conversation: conversationId }, 'Teams refused the message (app removed or blocked); conversation marked inactive');
      await this.conversations.markInactive(conversationId, 'Teams answered 403 (MessageWritesBlocked or app removed)');
    }
    throw failure;
  }
}
