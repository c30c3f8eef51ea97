import { WebClient } from '@slack/web-api';
import type { Config } from '../../config.js';

/** Retries with backoff on 5xx and network errors; a 429 waits its Retry-After first. */
const RETRIES = { retries: 3, minTimeout: 200, maxTimeout: 5000 };

/** The process's one Slack Web API client, shared by chat and the digest; undefined without SLACK_BOT_TOKEN. */
export function createSlackClient(slack: Config['slack']): WebClient | undefined {
  if (!slack.botToken) return undefined;
  return new WebClient(slack.botToken, slackClientOptions(slack));
}

export function slackClientOptions(slack: Config['slack']) {
  return { slackApiUrl: slack.apiUrl, allowAbsoluteUrls: false, retryConfig: RETRIES };
}
