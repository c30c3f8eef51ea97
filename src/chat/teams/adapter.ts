import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  createBotFrameworkAuthenticationFromConfiguration,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';

/**
 * The Bot Framework adapter. With MICROSOFT_APP_ID/PASSWORD it accepts only activities carrying a
 * valid Bot Framework JWT (401 otherwise) and signs its own calls; with none configured it runs
 * anonymous, which is what the local playground and Agents Playground rely on.
 */
export function createTeamsAdapter(teams: Config['teams'], logger: Logger): { adapter: CloudAdapter; appId: string; authenticated: boolean } {
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
  const adapter = new CloudAdapter(authenticated ? refusingBadTokens(auth) : auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, activityType: context.activity.type, conversation: context.activity.conversation?.id }, 'Teams turn failed');
  };
  return { adapter, appId: authenticated ? teams.appId! : '', authenticated };
}

/**
 * botbuilder answers 500 when a token's signature does not verify (jsonwebtoken's error is not an
 * AuthenticationError); every failure to authenticate a request is a 401 here.
 */
function refusingBadTokens(auth: BotFrameworkAuthentication): BotFrameworkAuthentication {
  const authenticateRequest = auth.authenticateRequest.bind(auth);
  auth.authenticateRequest = async (activity, authHeader) => {
    try {
      return await authenticateRequest(activity, authHeader);
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError(`Unauthorized: ${(error as Error).message}`, 401);
    }
  };
  return auth;
}
