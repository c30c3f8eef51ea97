import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../app/ports.js';
import type { Logger } from '../../logger.js';

const PROFILE_TTL_MS = 10 * 60_000;

/** The workspace (and Enterprise Grid org) the bot is installed in. */
interface Workspace {
  teamId?: string;
  enterpriseId?: string;
}

type SlackUser = NonNullable<Awaited<ReturnType<WebClient['users']['info']>>['user']>;

/**
 * Whether Slack vouches for the user's profile email: a confirmed address of an active person of the
 * bot's own workspace or Grid org. A Slack Connect guest's profile comes from another organisation.
 */
function vouchedEmail(user: SlackUser, workspace: Workspace | undefined): boolean {
  if (!user.profile?.email || user.deleted || user.is_bot || user.is_email_confirmed === false || !workspace) return false;
  return (!!workspace.teamId && user.team_id === workspace.teamId) || (!!workspace.enterpriseId && user.enterprise_user?.enterprise_id === workspace.enterpriseId);
}

/** The bot's own workspace, from auth.test (which also tells at start-up whether the token works). */
function homeWorkspace(client: WebClient, logger: Logger): Promise<Workspace | undefined> {
  return client.auth.test().then(
    (identity) => {
      logger.info({ team: identity.team, bot: identity.user }, 'Slack bot token accepted');
      return { teamId: identity.team_id, enterpriseId: identity.enterprise_id };
    },
    (error: unknown) => {
      logger.error({ err: error }, 'Slack rejected SLACK_BOT_TOKEN (auth.test failed); commands will not get answers until it is fixed');
      return undefined;
    },
  );
}

/**
 * Who is asking, as Slack knows them: the user id Slack authenticated and, when Slack vouches for it, the
 * profile email (only members of the bot's own workspace count). Each profile is read once per TTL, and
 * concurrent requests of one user share a single users.info.
 */
export function createSlackPeople(deps: { client: WebClient; now(): number; logger: Logger }) {
  const { client, logger } = deps;
  const home = homeWorkspace(client, logger);
  const profiles = new Map<string, { actor: Actor; at: number }>();
  const lookups = new Map<string, Promise<Actor>>();

  async function lookUp(userId: string, fallbackName: string): Promise<Actor> {
    let actor: Actor = { platform: 'slack', id: userId, name: fallbackName || userId };
    try {
      const info = await client.users.info({ user: userId });
      const user = info.user;
      actor = {
        platform: 'slack',
        id: userId,
        name: user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name || actor.name,
        email: user && vouchedEmail(user, await home) ? user.profile!.email : undefined,
      };
      profiles.set(userId, { actor, at: deps.now() });
    } catch (error) {
      logger.warn({ err: error, user: userId }, 'could not read the Slack profile; continuing without an email');
    }
    return actor;
  }

  return {
    async actorFor(userId: string, fallbackName: string): Promise<Actor> {
      const cached = profiles.get(userId);
      if (cached && deps.now() - cached.at < PROFILE_TTL_MS) return cached.actor;
      let lookup = lookups.get(userId);
      if (!lookup) {
        lookup = lookUp(userId, fallbackName).finally(() => lookups.delete(userId));
        lookups.set(userId, lookup);
      }
      return lookup;
    },
  };
}
