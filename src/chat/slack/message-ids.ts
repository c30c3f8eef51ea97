/**
 * Slack message ids as the chat core and the digest store hold them: `<channel>|<ts>`. A digest button's
 * origin is matched to the digest's posted messages by this id, so both sides build it here.
 */
export function messageId(channel: string, ts: string): string {
  return `${channel}|${ts}`;
}

export function parseMessageId(id: string): { channel: string; ts: string } | undefined {
  const [channel, ts] = id.split('|');
  return channel && ts ? { channel, ts } : undefined;
}

/** The Web API's error code of a failed call (`not_in_channel`, `channel_not_found`, …). */
export function slackErrorCode(error: unknown): string | undefined {
  return (error as { data?: { error?: string } } | undefined)?.data?.error;
}
