import { describe, expect, it } from 'vitest';
import type { FreshserviceTicket } from '../src/freshservice/types.js';
import { TicketQueryError, parseTicketQuery } from '../src/sandbox/freshservice/ticket-query.js';

function ticket(overrides: Partial<FreshserviceTicket>): FreshserviceTicket {
  return {
    id: 1, subject: 's', status: 2, priority: 2, type: 'Incident', category: 'Hardware', department_id: 7, requester_id: 3,
    responder_id: null, group_id: 5, created_at: '2026-06-15T10:00:00Z', updated_at: '2026-06-20T10:00:00Z',
    due_by: '2026-07-01T00:00:00Z', fr_due_by: null, custom_fields: { proactive_case: false }, tags: ['vip'], ...overrides,
  };
}

const matches = (query: string, t: FreshserviceTicket) => parseTicketQuery(query, (id) => (id === 3 ? 'Pat@Client.com' : null))(t);

describe('sandbox filter query language', () => {
  it('treats :> and :< as inclusive, whole days for dates and exact instants for timestamps', () => {
    const t = ticket({ created_at: '2026-06-30T23:59:59Z' });
    expect(matches(`"created_at:>'2026-06-01' AND created_at:<'2026-06-30'"`, t)).toBe(true);
    expect(matches(`"created_at:<'2026-06-29'"`, t)).toBe(false);
    expect(matches(`"created_at:<'2026-06-30T23:59:58Z'"`, t)).toBe(false);
    expect(matches(`"created_at:>'2026-06-30T23:59:59Z'"`, t)).toBe(true);
    expect(matches(`"created_at:'2026-06-30'"`, t)).toBe(true);
  });

  it('combines AND, OR and parentheses with AND binding tighter', () => {
    const t = ticket({ priority: 4, status: 5 });
    expect(matches('"priority:1 OR priority:4 AND status:5"', t)).toBe(true);
    expect(matches('"(priority:1 OR priority:4) AND status:2"', t)).toBe(false);
    expect(matches('"priority:>3 AND department_id:7"', t)).toBe(true);
  });

  it('understands null agents, tags, requester email, custom checkboxes and a missing due date', () => {
    const t = ticket({});
    expect(matches('"agent_id:null AND group_id:5"', t)).toBe(true);
    expect(matches(`"tag:'vip' AND email:'pat@client.com'"`, t)).toBe(true);
    expect(matches('"proactive_case:true"', t)).toBe(false);
    expect(matches(`"fr_due_by:>'2026-01-01'"`, t)).toBe(false);
  });

  it('refuses unquoted queries, unknown fields, type mismatches and dangling operators', () => {
    for (const query of ['priority:3', '"type:\'Incident\'"', '"priority:\'3\'"', '"priority:3 AND"', '"priority:3 OR OR status:2"', `"${'priority:1 OR '.repeat(60)}priority:2"`]) {
      expect(() => parseTicketQuery(query)).toThrow(TicketQueryError);
    }
  });
});
