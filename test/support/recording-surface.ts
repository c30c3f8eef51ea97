import type { ChatSurface, MessageRef } from '../../src/chat/surface.js';
import type { View } from '../../src/chat/views/view.js';
import { SLACK_COMMAND_PREFIX } from '../../src/chat/slack/render.js';

export interface RecordedMessage {
  ref: MessageRef;
  /** Every version of the message, first post first. */
  versions: View[];
}

export interface RecordingSurface extends ChatSurface {
  messages: RecordedMessage[];
  ephemerals: View[];
  forms: View[];
  /** The newest version of a message. */
  latest(ref?: MessageRef): View | undefined;
  /** A surface for an action on `ref` (the message the button sits on), recording into the same lists. */
  on(ref: MessageRef): RecordingSurface;
}

/** A ChatSurface that keeps everything the bot shows, for assertions. */
export function createRecordingSurface(options: { forms?: boolean } = {}, shared?: Pick<RecordingSurface, 'messages' | 'ephemerals' | 'forms'>, origin?: MessageRef): RecordingSurface {
  const messages = shared?.messages ?? [];
  const ephemerals = shared?.ephemerals ?? [];
  const forms = shared?.forms ?? [];
  const find = (ref: MessageRef) => messages.find((message) => message.ref.id === ref.id);
  const surface: RecordingSurface = {
    commandPrefix: SLACK_COMMAND_PREFIX,
    messages,
    ephemerals,
    forms,
    origin,
    async reply(view) {
      const ref = { id: `m${messages.length + 1}` };
      messages.push({ ref, versions: [view] });
      return ref;
    },
    async update(ref, view) {
      const message = find(ref);
      if (!message) throw new Error(`update of unknown message ${ref.id}`);
      message.versions.push(view);
    },
    async ephemeral(view) {
      ephemerals.push(view);
    },
    latest(ref) {
      const message = ref ? find(ref) : messages[messages.length - 1];
      return message?.versions[message.versions.length - 1];
    },
    on(ref) {
      return createRecordingSurface(options, { messages, ephemerals, forms }, ref);
    },
  };
  if (options.forms) {
    surface.openForm = async (view) => {
      forms.push(view);
    };
  }
  return surface;
}
