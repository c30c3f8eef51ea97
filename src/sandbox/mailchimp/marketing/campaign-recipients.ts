/** Who a campaign goes to: the subscribed members of its list that its segment matches. */
import type { SandboxAudienceMember } from '../../types.js';
import type { HandlerContext } from '../api.js';
import { segmentMatcher } from './segments.js';
import type { SandboxCampaign, StaticSegment } from '../state.js';

export function segmentRecipients(campaign: SandboxCampaign, context: Pick<HandlerContext, 'state'>): SandboxAudienceMember[] {
  if (campaign.recipients.list_id !== context.state.listId) return [];
  const opts = campaign.recipients.segment_opts;
  const saved = opts?.saved_segment_id === undefined ? undefined : new Set(savedSegment(campaign, context.state)?.emails ?? []);
  const inSegment = segmentMatcher(opts, saved);
  return context.state.members.filter((member) => member.status === 'subscribed' && !member.forgotten && inSegment(member));
}

/** The contact with this address (any case), unless it was permanently deleted. */
export function audienceMember(state: HandlerContext['state'], email: string): SandboxAudienceMember | undefined {
  const lower = email.toLowerCase();
  return state.members.find((candidate) => candidate.email_address.toLowerCase() === lower && !candidate.forgotten);
}

export function savedSegment(campaign: SandboxCampaign, state: HandlerContext['state']): StaticSegment | undefined {
  const id = campaign.recipients.segment_opts?.saved_segment_id;
  return id === undefined ? undefined : state.segments.find((segment) => segment.id === id);
}
