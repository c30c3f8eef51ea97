import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  createBotFrameworkAuthenticationFromConfiguration,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication } from 'botframework-connector';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ConversationChannel, ConversationStore } from '../../store/conversations.js';
import { TeamsMessenger } from './messenger.js';

/**
 * How the Teams endpoint works in this configuration:
 * - `bot-framework`: MICROSOFT_APP_ID/PASSWORD are set; every activity must carry a valid Bot Framework token.
 * - `local`: sandbox mode without them; only the local playground, on this computer, may talk to the bot.
 * - `off`: real services without them; there is no Teams endpoint at all.
 */
export type TeamsMode = ConversationChannel | 'off';

export function teamsMode(config: Pick<Config, 'sandbox' | 'teams'>): TeamsMode {
  if (config.teams.appId && config.teams.appPassword) return 'bot-framework';
  return config.sandbox ? 'local' : 'off';
}

const authenticating = new AsyncLocalStorage<true>();
let consoleQuieted = false;

/**
 * botframework-connector writes every token it rejects (expired ones with their stack) to console.error,
 * so a stranger could fill the log at will. While a request is being authenticated those writes are
 * dropped: the refusal is logged once, as one structured warning, by whoever asked.
 */
function quietConsoleDuringAuthentication(): void {
  if (consoleQuieted) return;
  consoleQuieted = true;
  const write = console.error;
  console.error = (...args: unknown[]) => {
    if (!authenticating.getStore()) write.apply(console, args);
  };
}

/** Authenticates an incoming activity (a Bot Framework JWT in `authHeader`, or anonymous). Throws when it is not. */
export function authenticateActivity(auth: BotFrameworkAuthentication, activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
  quietConsoleDuringAuthentication();
  return authenticating.run(true, () => auth.authenticateRequest(activity, authHeader));
}

/** Why Teams is off, for the start-up log. */
export const TEAMS_OFF_REASON =
  'Teams is off: MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are not set, and without them /api/messages only exists in sandbox mode (for the local playground); /api/messages is not mounted';

/** The CloudAdapter, taking requests we authenticated ourselves, so that a refusal is ours to answer and log. */
export class TeamsAdapter extends CloudAdapter {
  runAuthenticated(authentication: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authentication, activity, logic);
  }
}

/**
 * The Bot Framework adapter and the authentication of incoming activities. With MICROSOFT_APP_ID/PASSWORD
 * it accepts only activities carrying a valid Bot Framework JWT and signs its own calls; without them it is
 * anonymous, which only the local playground may use (the Teams surface checks where such activities come from).
 */
export function createTeamsAdapter(teams: Config['teams'], logger: Logger): { adapter: TeamsAdapter; auth: BotFrameworkAuthentication; appId: string } {
  const authenticated = Boolean(teams.appId && teams.appPassword);
  const auth = authenticated
    ? createBotFrameworkAuthenticationFromConfiguration(
        null,
        new ConfigurationServiceClientCredentialFactory({
          MicrosoftAppId: teams.appId,
          MicrosoftAppPassword: teams.appPassword,
          MicrosoftAppType: teams.appType,
          MicrosoftAppTenantId: teams.tenantId,
        }),
      )
    : new ConfigurationBotFrameworkAuthentication({});
  const adapter = new TeamsAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, activityType: context.activity.type, conversation: context.activity.conversation?.id }, 'Teams turn failed');
  };
  return { adapter, auth, appId: authenticated ? teams.appId! : '' };
}

/** The process's one Bot Framework adapter and the messenger that posts through it, shared by chat and the digest. */
export interface TeamsConnection {
  adapter: TeamsAdapter;
  auth: BotFrameworkAuthentication;
  messenger: TeamsMessenger;
}

export function connectTeams(teams: Config['teams'], conversations: ConversationStore, logger: Logger): TeamsConnection {
  const { adapter, auth, appId } = createTeamsAdapter(teams, logger);
  return { adapter, auth, messenger: new TeamsMessenger(adapter, appId, conversations, logger) };
}
