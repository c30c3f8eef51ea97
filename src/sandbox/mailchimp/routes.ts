import type { Handler } from './api.js';
import * as campaigns from './marketing/campaigns.js';
import * as sends from './marketing/campaign-sends.js';
import * as files from './marketing/files.js';
import * as members from './marketing/members.js';
import * as segments from './marketing/static-segments.js';
import * as messages from './transactional/messages.js';
import * as metadata from './transactional/metadata.js';
import * as rejects from './transactional/rejects.js';

/** Operations whose next call a test can make fail, before or after the effect (`failNext`). */
export type FailableOperation = 'campaign.create' | 'campaign.content' | 'campaign.send' | 'campaign.test' | 'transactional.send';

export interface Route {
  method: string;
  /** `/campaigns/:campaignId`, as written here. */
  pattern: string;
  segments: string[];
  handler: Handler;
  operation?: FailableOperation;
}

function route(method: string, pattern: string, handler: Handler, operation?: FailableOperation): Route {
  return { method, pattern, segments: pattern.split('/').filter(Boolean), handler, ...(operation ? { operation } : {}) };
}

/** Paths relative to `/3.0`. */
export const marketingRoutes: Route[] = [
  route('GET', '/', (context) => ({
    status: 200,
    body: {
      account_id: 'sandbox',
      login_id: 'sandbox',
      account_name: 'IntegoReport Sandbox',
      email: 'sandbox@integoreport.example',
      username: 'integoreport-sandbox',
      role: 'owner',
      pricing_plan_type: 'monthly',
      account_timezone: 'UTC',
      total_subscribers: context.state.members.filter((member) => member.status === 'subscribed' && !member.forgotten).length,
    },
  })),
  route('GET', '/ping', () => ({ status: 200, body: { health_status: "Everything's Chimpy!" } })),
  route('GET', '/lists', members.getLists),
  route('GET', '/lists/:listId', members.getList),
  route('GET', '/lists/:listId/merge-fields', members.getMergeFields),
  route('GET', '/lists/:listId/members', members.listMembers),
  route('POST', '/lists/:listId/members', members.addMember),
  route('GET', '/lists/:listId/members/:hash', members.getMember),
  route('PUT', '/lists/:listId/members/:hash', members.upsertMember),
  route('PATCH', '/lists/:listId/members/:hash', members.patchMember),
  route('DELETE', '/lists/:listId/members/:hash', members.archiveMember),
  route('POST', '/lists/:listId/members/:hash/actions/delete-permanent', members.deleteMemberPermanently),
  route('GET', '/lists/:listId/members/:hash/tags', members.getMemberTags),
  route('POST', '/lists/:listId/members/:hash/tags', members.postMemberTags),
  route('GET', '/lists/:listId/segments', segments.listSegments),
  route('POST', '/lists/:listId/segments', segments.createSegment),
  route('GET', '/lists/:listId/segments/:segmentId', segments.getSegment),
  route('POST', '/lists/:listId/segments/:segmentId', segments.updateSegmentMembers),
  route('DELETE', '/lists/:listId/segments/:segmentId', segments.deleteSegment),
  route('GET', '/search-members', members.searchMembers),
  route('GET', '/campaigns', campaigns.listCampaigns),
  route('POST', '/campaigns', campaigns.createCampaign, 'campaign.create'),
  route('GET', '/campaigns/:campaignId', campaigns.getCampaign),
  route('PATCH', '/campaigns/:campaignId', campaigns.updateCampaign),
  route('DELETE', '/campaigns/:campaignId', campaigns.deleteCampaign),
  route('GET', '/campaigns/:campaignId/content', campaigns.getCampaignContent),
  route('PUT', '/campaigns/:campaignId/content', campaigns.setCampaignContent, 'campaign.content'),
  route('GET', '/campaigns/:campaignId/send-checklist', sends.getSendChecklist),
  route('POST', '/campaigns/:campaignId/actions/send', sends.sendCampaign, 'campaign.send'),
  route('POST', '/campaigns/:campaignId/actions/test', sends.sendTestEmail, 'campaign.test'),
  route('POST', '/campaigns/:campaignId/actions/schedule', sends.scheduleCampaign),
  route('POST', '/campaigns/:campaignId/actions/unschedule', sends.unscheduleCampaign),
  route('POST', '/file-manager/files', files.uploadFile),
  route('GET', '/file-manager/files/:fileId', files.getFile),
];

/** Paths relative to `/transactional/api/1.0`; every call is a POST (a `.json` suffix is accepted too). */
export const transactionalRoutes: Route[] = [
  route('POST', '/messages/send', messages.sendMessage, 'transactional.send'),
  route('POST', '/messages/search', messages.searchMessages),
  route('POST', '/messages/info', messages.messageInfo),
  route('POST', '/metadata/list', metadata.listMetadata),
  route('POST', '/metadata/add', metadata.addMetadata),
  route('POST', '/users/ping', () => ({ status: 200, body: 'PONG!' })),
  route('POST', '/rejects/add', rejects.addReject),
  route('POST', '/rejects/delete', rejects.deleteReject),
];

type RouteMatch = { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined;

/** Finds the route for a path; `{allowed}` when the path exists under other methods (405). */
export function matchRoute(routes: Route[], method: string, path: string): RouteMatch {
  const parts = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const candidate of routes) {
    const params = matchSegments(candidate.segments, parts);
    if (!params) continue;
    if (candidate.method === method) return { route: candidate, params };
    allowed.push(candidate.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index += 1) {
    const expected = pattern[index]!;
    const actual = parts[index]!;
    if (expected.startsWith(':')) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}
