import type http from 'node:http';
import type { Clock } from '../../clock.js';
import type { SiteInfo } from './api.js';
import { archivePage } from './marketing/campaign-sends.js';
import { hostedPath } from './marketing/files.js';
import { escapeHtml } from './merge-tags.js';
import { sendHtml } from './responses.js';
import { mailchimpTime, subscriberHash, type MailchimpState } from './state.js';

export interface PageContext {
  state: MailchimpState;
  site: SiteInfo;
  clock: Clock;
  /** Persists `state` after a change. */
  save(): Promise<void>;
}

/**
 * The public pages an email links to: `/unsubscribe` (which really unsubscribes), `/profile`,
 * `/campaign-archive/{id}`, and the File Manager's hosted files. False when the request is for none of them.
 */
export async function servePublicPage(context: PageContext, request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<boolean> {
  const { state, site, clock, save } = context;
  if (request.method !== 'GET') return false;
  if (url.pathname === '/unsubscribe') {
    const member = state.members.find((candidate) => subscriberHash(candidate.email_address) === url.searchParams.get('e') && !candidate.forgotten);
    if (!member) return sendHtml(response, 404, '<p>This address is not on the list.</p>');
    if (member.status === 'subscribed' || member.status === 'pending') {
      member.status = 'unsubscribed';
      member.last_changed = mailchimpTime(clock.now());
      await save();
    }
    return sendHtml(response, 200, `<p>${escapeHtml(member.email_address)} has been unsubscribed from ${escapeHtml(site.listName)}.</p>`);
  }
  if (url.pathname === '/profile') return sendHtml(response, 200, '<p>Profile preferences are not simulated by the sandbox.</p>');
  const hosted = state.files.find((file) => hostedPath(file) === url.pathname);
  if (hosted) {
    const bytes = Buffer.from(hosted.data, 'base64');
    response.writeHead(200, { 'Content-Type': hosted.content_type, 'Content-Length': bytes.length, 'Cache-Control': 'public, max-age=31536000' }).end(bytes);
    return true;
  }
  const archive = /^\/campaign-archive\/([0-9a-f]+)$/.exec(url.pathname);
  if (archive) {
    const campaign = state.campaigns.find((candidate) => candidate.id === archive[1]);
    if (!campaign) return sendHtml(response, 404, '<p>This campaign does not exist.</p>');
    return sendHtml(response, 200, archivePage(campaign, { state, site }));
  }
  return false;
}
