import { describe, expect, it } from 'vitest';
import { HOSTILE_SUBJECTS, LINKING_CASES, monthStartUtc, seedWorld, type SandboxWorld } from '../src/sandbox/index.js';

const anchor = new Date('2026-11-25T12:00:00Z');
const world = seedWorld({ anchor });

function department(name: string) {
  const found = world.departments.find((d) => d.name === name);
  if (!found) throw new Error(`no department ${name}`);
  return found;
}

function fullName(first: string, last: string | null | undefined): string {
  return `${first.trim()} ${(last ?? '').trim()}`.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The five kept linking rules, with names trimmed and whitespace collapsed. */
function linkOutcome(w: SandboxWorld, name: string): string {
  const d = w.departments.find((x) => x.name === name)!;
  const person = (id: number | null) => w.requesters.find((r) => r.id === id);
  const byName = (id: number | null) => {
    const p = person(id);
    if (!p) return [];
    return w.audience.members.filter((m) => fullName(m.merge_fields.FNAME, m.merge_fields.LNAME) === fullName(p.first_name, p.last_name));
  };
  if (byName(d.prime_user_id).length > 0) return 'linked:prime-name';
  if (byName(d.head_user_id).length > 0) return 'linked:head-name';
  if (w.audience.members.some((m) => d.domains.includes(m.email_address.split('@')[1]!))) return 'linked:domain';
  if (person(d.prime_user_id) || person(d.head_user_id)) return 'to-add';
  return 'no-contact';
}

describe('seeded sandbox world', () => {
  it('is identical for the same anchor and seed, and differs for another seed', () => {
    expect(JSON.stringify(seedWorld({ anchor }))).toBe(JSON.stringify(world));
    expect(JSON.stringify(seedWorld({ anchor, seed: 7 }))).not.toBe(JSON.stringify(world));
  });

  it('has the default profile: ~25 clients, ~300 audience members, thousands of tickets', () => {
    expect(world.departments).toHaveLength(25);
    expect(world.audience.members).toHaveLength(300);
    expect(world.tickets.length).toBeGreaterThan(3000);
    expect(new Set(world.audience.members.map((m) => m.email_address)).size).toBe(300);
  });

  it('gives Acme Corporation 500+ tickets in the month before the anchor month', () => {
    const acme = department('Acme Corporation');
    const from = new Date(monthStartUtc(anchor.getTime(), -1)).toISOString();
    const to = new Date(monthStartUtc(anchor.getTime(), 0)).toISOString();
    const count = world.tickets.filter((t) => t.department_id === acme.id && t.created_at >= from && t.created_at < to).length;
    expect(count).toBeGreaterThanOrEqual(500);
  });

  it('spans six full months before the anchor month plus the anchor month up to the anchor', () => {
    const earliest = new Date(monthStartUtc(anchor.getTime(), -6)).toISOString();
    const created = world.tickets.map((t) => t.created_at).sort();
    expect(created[0]! >= earliest).toBe(true);
    expect(created[0]!.slice(0, 7)).toBe('2026-05');
    expect(Date.parse(created[created.length - 1]!)).toBeLessThanOrEqual(anchor.getTime());
    expect(world.tickets[0]!.id).toBe(10_000);
  });

  it('produces every documented linking situation under the five kept rules', () => {
    for (const linkingCase of LINKING_CASES) {
      expect({ department: linkingCase.department, outcome: linkOutcome(world, linkingCase.department) }).toEqual({
        department: linkingCase.department,
        outcome: linkingCase.expected,
      });
    }
    const situations = new Set(LINKING_CASES.map((c) => c.situation));
    for (const needed of ['prime-name', 'head-name', 'domain', 'near-miss-spelling', 'near-miss-diacritics', 'last-comma-first', 'extra-spaces', 'domain-empty-names', 'unsubscribed', 'cleaned', 'archived', 'to-add', 'no-contact', 'ambiguous-name'] as const) {
      expect(situations.has(needed)).toBe(true);
    }
  });

  it('holds the near misses, member statuses and the ambiguous name the linking code must handle', () => {
    const members = world.audience.members;
    const named = (first: string, last: string) => members.filter((m) => m.merge_fields.FNAME === first && m.merge_fields.LNAME === last);
    const prime = (name: string) => world.requesters.find((r) => r.id === department(name).prime_user_id)!;
    expect([prime('Wayne Dental').first_name, prime('Wayne Dental').last_name]).toEqual(['Jon', 'Smyth']);
    expect(named('John', 'Smith')).toHaveLength(1);
    expect([prime('Hooli').first_name, prime('Hooli').last_name]).toEqual(['Zoë', 'Müller']);
    expect(named('Zoe', 'Muller')).toHaveLength(1);
    expect(named('Okafor, Grace', '')).toHaveLength(1);
    expect(named('Norman', 'Osborn')[0]!.status).toBe('unsubscribed');
    expect(named('Eldon', 'Tyrell')[0]!.status).toBe('cleaned');
    expect(named('Nina', 'Sharp')[0]!.status).toBe('archived');
    expect(named('Michael', 'Bluth')).toHaveLength(2);
    const dunder = department('Dunder Mifflin');
    expect([dunder.prime_user_id, dunder.head_user_id]).toEqual([null, null]);
  });

  it('carries hostile subjects on Acme tickets of the busy month', () => {
    const acme = department('Acme Corporation');
    const subjects = world.tickets.filter((t) => t.department_id === acme.id && t.created_at.startsWith('2026-10')).map((t) => t.subject);
    for (const hostile of HOSTILE_SUBJECTS) expect(subjects).toContain(hostile);
  });

  it('has realistic ticket states, SLA fields, time entries and surveys', () => {
    const tickets = world.tickets;
    const share = (predicate: (t: (typeof tickets)[number]) => boolean) => tickets.filter(predicate).length / tickets.length;
    expect(share((t) => t.priority === 2)).toBeGreaterThan(0.45);
    expect(tickets.some((t) => t.status === 6)).toBe(true);
    expect(tickets.some((t) => t.status === 7)).toBe(true);
    expect(tickets.some((t) => t.status === 5 && t.stats!.resolved_at === null && t.stats!.closed_at !== null)).toBe(true);
    expect(tickets.some((t) => t.stats!.first_responded_at === null)).toBe(true);
    expect(tickets.some((t) => t.due_by === null && t.fr_due_by === null)).toBe(true);
    expect(share((t) => t.fr_escalated === true)).toBeGreaterThan(0.05);
    expect(share((t) => t.custom_fields.proactive_case === true)).toBeGreaterThan(0.07);
    expect(share((t) => t.custom_fields.proactive_case === true)).toBeLessThan(0.13);
    expect(tickets.filter((t) => t.spam || t.deleted).length).toBeGreaterThanOrEqual(2);

    const withEntries = Object.keys(world.timeEntries).length / tickets.length;
    expect(withEntries).toBeGreaterThan(0.5);
    expect(withEntries).toBeLessThan(0.7);
    const entries = Object.values(world.timeEntries).flat();
    expect(entries.every((e) => /^\d{2}:\d{2}$/.test(e.time_spent))).toBe(true);
    expect(entries.some((e) => e.timer_running)).toBe(true);

    const resolved = tickets.filter((t) => t.stats!.resolved_at !== null || t.stats!.closed_at !== null);
    const surveys = Object.values(world.csat);
    expect(surveys.length / resolved.length).toBeGreaterThan(0.1);
    expect(surveys.length / resolved.length).toBeLessThan(0.2);
    expect(surveys.some((s) => s.score === undefined && ['Happy', 'Neutral', 'Unhappy'].includes(s.overall_rating_text ?? ''))).toBe(true);
    expect(surveys.some((s) => s.score?.total_score === 4)).toBe(true);

    const statusField = world.formFields.find((f) => f.name === 'status')!;
    expect(statusField.choices!.map((c) => [c.id, c.value])).toContainEqual([6, 'Waiting on Customer']);
    expect(statusField.choices!.map((c) => [c.id, c.value])).toContainEqual([7, 'Waiting on Third Party']);
  });

  it('keeps updated_at at or after every event of the ticket', () => {
    for (const ticket of world.tickets) {
      const s = ticket.stats!;
      const events = [ticket.created_at, s.first_responded_at, s.resolved_at, s.closed_at, s.pending_since, world.csat[ticket.id]?.created_at, ...(world.timeEntries[ticket.id] ?? []).map((e) => e.executed_at)];
      for (const event of events) if (event) expect(ticket.updated_at >= event).toBe(true);
      expect(Date.parse(ticket.updated_at)).toBeLessThanOrEqual(anchor.getTime());
    }
  });
});
