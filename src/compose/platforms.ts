import type { WebClient } from '@slack/web-api';
import { createSlackClient } from '../chat/slack/client.js';
import { connectTeams, teamsMode, type TeamsConnection } from '../chat/teams/adapter.js';
import { ConversationStore } from '../store/conversations.js';
import type { Runtime } from './runtime.js';

/** The process's one Slack client and one Teams connection, shared by chat and the digest; absent where not configured. */
export interface PlatformClients {
  slack: WebClient | undefined;
  teams: TeamsConnection | undefined;
  /** The Teams conversations the bot has heard of (where the digest can go). */
  conversations: ConversationStore;
}

export function createPlatformClients(runtime: Pick<Runtime, 'config' | 'clock' | 'logger'>, conversations?: ConversationStore): PlatformClients {
  const { config, clock, logger } = runtime;
  const known = conversations ?? new ConversationStore(config.dataDir, clock);
  return {
    slack: createSlackClient(config.slack),
    teams: teamsMode(config) === 'off' ? undefined : connectTeams(config.teams, known, logger.child({ surface: 'teams' })),
    conversations: known,
  };
}
