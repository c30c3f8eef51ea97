/**
 * The digest on Teams: a proactive card in every team channel the app was installed in (stored
 * conversation references), with one reply per client in that card's thread. In a chat (personal or
 * group), which has no threads, the rows follow the header as messages of their own. With the local
 * playground (sandbox mode) the playground's newest conversation is a target too.
 */
import type { ConversationReference } from 'botbuilder';
import type { Config } from '../../config.js';
import type { ConversationChannel, ConversationStore } from '../../store/conversations.js';
import type { DigestPoster } from '../digest-publisher.js';
import type { CardUpdater } from '../resumed-sends.js';
import { teamsMode, type TeamsConnection } from './adapter.js';
import { renderCard, TEAMS_COMMAND_PREFIX } from './render.js';

/** A channel's own conversation id, without the `;messageid=` Teams adds inside a thread. */
function channelOf(conversationId: string): string {
  return conversationId.split(';')[0]!;
}

/** A channel thread's conversation id (replies go there): `<channel>;messageid=<root activity id>`. */
function threadOf(conversationId: string, rootActivityId: string): string {
  return `${channelOf(conversationId)};messageid=${rootActivityId}`;
}

/**
 * Posts only to channels heard of the way this configuration hears Teams (Bot Framework, or the local
 * playground): a conversation stored another way holds a serviceUrl nobody vouched for. Undefined when Teams is off.
 */
export function createTeamsDigestPoster(deps: { config: Config; conversations: ConversationStore; connection?: TeamsConnection }): DigestPoster | undefined {
  const mode = teamsMode(deps.config);
  if (mode === 'off' || !deps.connection) return undefined;
  const heardThrough: ConversationChannel = mode;
  const { messenger } = deps.connection;

  async function stored(conversationId: string) {
    const channel = channelOf(conversationId);
    const found = (await deps.conversations.list({ heardThrough })).find((entry) => channelOf(entry.id) === channel);
    if (!found) throw new Error(`Teams conversation ${conversationId} is not known (the app was never installed there).`);
    return found;
  }

  async function reference(conversationId: string): Promise<Partial<ConversationReference>> {
    const found = await stored(conversationId);
    return { ...found.address, conversation: { ...found.address.conversation, id: conversationId } } as Partial<ConversationReference>;
  }

  return {
    platform: 'teams',
    commandPrefix: TEAMS_COMMAND_PREFIX,
    async targets() {
      const active = await deps.conversations.list({ activeOnly: true, heardThrough });
      const channels = active.filter((entry) => entry.scope === 'channel').map((entry) => channelOf(entry.id));
      // The playground opens a new conversation per browser session: the digest goes to the one used last.
      const playground = mode === 'local'
        ? active.filter((entry) => entry.scope === 'personal').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0]
        : undefined;
      return [...new Set([...channels, ...(playground ? [playground.id] : [])])];
    },
    async post(target, view, thread) {
      const conversationId = thread && (await stored(target)).scope === 'channel' ? threadOf(target, thread.id) : target;
      const id = await messenger.send(await reference(conversationId), renderCard(view));
      return { target: conversationId, id };
    },
    async update(ref, view) {
      await messenger.update(await reference(ref.target), ref.id, renderCard(view));
    },
  };
}

/** Teams cards updated outside a request (a card whose send start-up finished), through the same stored conversations. */
export function createTeamsCardUpdater(deps: Parameters<typeof createTeamsDigestPoster>[0]): CardUpdater | undefined {
  const poster = createTeamsDigestPoster(deps);
  return poster && ((address, view) => poster.update({ target: address.target, id: address.id }, view));
}
