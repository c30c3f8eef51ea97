import type { FreshserviceTicket } from '../../freshservice/types.js';
import { createRng } from '../rng.js';
import { requesterName, ticketRequester, type SandboxWorld } from '../world/world.js';

export interface SandboxConversation {
  id: number;
  body: string;
  body_text: string;
  incoming: boolean;
  private: boolean;
  /** 0 email, 2 note, 5 feedback (a submitted survey). */
  source: number;
  user_id: number | null;
  support_email: string | null;
  to_emails: string[];
  from_email: string | null;
  cc_emails: string[];
  bcc_emails: string[];
  ticket_id: number;
  attachments: unknown[];
  created_at: string;
  updated_at: string;
}

/** A ticket's conversation, generated on demand (deterministic per world seed and ticket) to keep world.json small. */
export function ticketConversations(world: SandboxWorld, ticket: FreshserviceTicket): SandboxConversation[] {
  const rng = createRng((world.seed ^ ticket.id) >>> 0);
  const stats = ticket.stats;
  const createdMs = Date.parse(ticket.created_at);
  const endMs = Math.max(createdMs + 60_000, Date.parse(stats?.resolved_at ?? stats?.closed_at ?? ticket.updated_at));
  const requester = ticketRequester(world, ticket.requester_id);
  const agent = world.agents.find((a) => a.id === ticket.responder_id);
  const moments: Array<{ at: number; incoming: boolean; source: number; text: string }> = [];
  if (stats?.first_responded_at) {
    moments.push({ at: Date.parse(stats.first_responded_at), incoming: false, source: 0, text: 'Thanks for reaching out, we are looking into this now.' });
  }
  for (let n = 1; n < (stats?.outbound_count ?? 0); n += 1) {
    moments.push({ at: createdMs + Math.floor(rng.next() * (endMs - createdMs)), incoming: false, source: rng.chance(0.3) ? 2 : 0, text: 'Update: we applied a fix, please let us know if it works.' });
  }
  for (let n = 0; n < (stats?.inbound_count ?? 0); n += 1) {
    moments.push({ at: createdMs + Math.floor(rng.next() * (endMs - createdMs)), incoming: true, source: 0, text: 'Thanks, it still happens from time to time.' });
  }
  const survey = world.csat[ticket.id];
  if (survey) {
    const name = requester ? requesterName(requester) : 'The requester';
    moments.push({ at: Date.parse(survey.created_at), incoming: true, source: 5, text: `${name} has submitted the survey response` });
  }
  moments.sort((a, b) => a.at - b.at);
  return moments.map((moment, index) => {
    const at = new Date(moment.at).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const fromEmail = moment.incoming ? (requester?.primary_email ?? null) : (agent?.email ?? null);
    return {
      id: ticket.id * 100 + index + 1,
      body: `<div>${moment.text}</div>`,
      body_text: moment.text,
      incoming: moment.incoming,
      private: moment.source === 2,
      source: moment.source,
      user_id: moment.incoming ? ticket.requester_id : ticket.responder_id,
      support_email: moment.incoming ? 'support@intego-it.com' : null,
      to_emails: moment.incoming ? ['support@intego-it.com'] : requester?.primary_email ? [requester.primary_email] : [],
      from_email: fromEmail,
      cc_emails: [],
      bcc_emails: [],
      ticket_id: ticket.id,
      attachments: [],
      created_at: at,
      updated_at: at,
    };
  });
}
