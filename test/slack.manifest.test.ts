import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';

describe('Slack app manifest', () => {
  it('declares the command, both URLs on /slack/events and exactly the bot scopes the app uses', async () => {
    const manifest = await fs.readFile(new URL('../manifest/slack.yaml', import.meta.url), 'utf8');
    expect(manifest).toMatch(/^\s+- command: \/integoreport$/m);
    expect(manifest.match(/(url|request_url): PUBLIC_BASE_URL\/slack\/events$/gm)).toHaveLength(2);
    const scopes = [...manifest.matchAll(/^\s+- ([a-z]+(?::[a-z.]+)?)$/gm)].map((match) => match[1]).filter((scope) => scope !== undefined);
    expect(scopes.sort()).toEqual(['chat:write', 'chat:write.public', 'commands', 'users:read', 'users:read.email']);
    expect(manifest).toMatch(/^\s+socket_mode_enabled: false$/m);
    expect(manifest).not.toMatch(/\t/);
  });
});
