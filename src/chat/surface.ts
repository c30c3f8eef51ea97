/** What a platform (Slack, Teams) offers the chat core for one incoming command or action. */
import type { CardAddress } from '../store/sends.js';
import type { ActionId, View } from './views/view.js';

/** A message the bot posted (or the one a button sits on). Platforms put whatever they need in `id`. */
export interface MessageRef {
  id: string;
  /** Ephemeral messages can only be replaced a few times; long work posts a new message instead. */
  ephemeral?: boolean;
}

export interface ChatSurface {
  /** How commands are typed here: "/integoreport" in Slack, nothing in Teams; views name commands with it. */
  readonly commandPrefix: string;
  /** Posts a message visible to the conversation. */
  reply(view: View): Promise<MessageRef>;
  /**
   * Replaces a message posted earlier (or the message a button sits on). A `progress` update may be
   * dropped where the platform can replace a message only a few times; the final one never is.
   */
  update(ref: MessageRef, view: View, options?: { progress?: boolean }): Promise<void>;
  /** A message only the acting user sees. */
  ephemeral(view: View): Promise<void>;
  /** Opens a form as a dialog (Slack modal). Without it, forms are posted with `reply`. */
  openForm?(view: View): Promise<void>;
  /** The message the button or form came from, when there is one. */
  origin?: MessageRef;
  /** Where a message can be updated later, outside this request (after a restart); undefined when it cannot. */
  addressOf?(ref: MessageRef): CardAddress | undefined;
  /** The conversation this came from, as the platform's digest poster names it (Slack channel id, Teams conversation id). */
  readonly conversation?: ConversationRef;
}

export interface ConversationRef {
  platform: 'slack' | 'teams';
  id: string;
}

/** A button press or form submission, by the verb of the button. */
export interface ChatAction {
  id: ActionId | string;
  value: string;
  /** Form values by input/choice id, for form submissions. */
  inputs?: Record<string, string | undefined>;
}
