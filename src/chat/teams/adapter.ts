import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  createBotFrameworkAuthenticationFromConfiguration,
  type TurnContext,
} from 'botbuilder';
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
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, activityType: context.activity.type, conversation: context.activity.conversation?.id }, 'Teams turn failed');
  };
  return { adapter, appId: authenticated ? teams.appId! : '', authenticated };
}
