import { describe, expect, it } from 'vitest';
import { parseTimeSpent } from '../src/report/durations.js';
import { HOSTILE_SUBJECTS, LINKING_CASES, monthStartUtc, seedWorld, type SandboxWorld } from '../src/sandbox/index.js';

const anchor = new Date('2026-11-25T12:00:00Z');
const world = seedWorld({ anchor });
const FULL_MONTHS = 13;
/** "2026-10" for 1: the calendar month `monthsBefore` months before the anchor's. */
const monthKey = (monthsBefore: number) => new Date(monthStartUtc(anchor.getTime(), -monthsBefore)).toISOString().slice(0, 7);
const agentIds = new Set(world.agents.map((agent) => agent.id));
const shown = world.tickets.filter((ticket) => !ticket.spam && !ticket.deleted);
const hoursOf = (ticketId: number) => (world.timeEntries[ticketId] ?? []).reduce((sum, entry) => sum + (parseTimeSpent(entry.time_spent) ?? 0) / 60, 0);

/** A client's tickets and logged hours for each full month before the anchor's, oldest first. */
function monthsOf(departmentId: number) {
  return Array.from({ length: FULL_MONTHS }, (_, index) => {
    const month = monthKey(FULL_MONTHS - index);
    const tickets = shown.filter((ticket) => ticket.department_id === departmentId && ticket.created_at.startsWith(month));
    return { month, tickets: tickets.length, hours: tickets.reduce((sum, ticket) => sum + hoursOf(ticket.id), 0) };
  });
}

function seatsOf(name: string): number {
  const seats = department(name).custom_fields.seats;
  if (typeof seats !== 'number') throw new Error(`${name} has no seats`);
  return seats;
}

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

  it('spans thirteen full months before the anchor month plus the anchor month up to the anchor, for every client', () => {
    const earliest = new Date(monthStartUtc(anchor.getTime(), -FULL_MONTHS)).toISOString();
    const created = world.tickets.map((t) => t.created_at).sort();
    expect(created[0]! >= earliest).toBe(true);
    expect(created[0]!.slice(0, 7)).toBe('2025-10');
    expect(Date.parse(created[created.length - 1]!)).toBeLessThanOrEqual(anchor.getTime());
    expect(world.tickets[0]!.id).toBe(10_000);
    for (const d of world.departments) {
      expect(monthsOf(d.id).filter((month) => month.tickets === 0).map((month) => month.month), d.name).toEqual([]);
    }
  });

  it('has believable volumes: 0.4–2.2 tickets a seat every month, varying, with at most one incident spike per client', () => {
    const spikes: string[] = [];
    for (const d of world.departments) {
      const seats = seatsOf(d.name);
      const months = monthsOf(d.id);
      const outside = months.filter((month) => month.tickets < 0.4 * seats || month.tickets > 2.2 * seats);
      expect(outside.length, `${d.name}: ${outside.map((month) => month.month).join(', ')}`).toBeLessThanOrEqual(1);
      spikes.push(...outside.map((month) => `${d.name} ${month.month}`));
      if (seats >= 10) expect(new Set(months.map((month) => month.tickets)).size, d.name).toBeGreaterThan(3);
    }
    expect(spikes.length).toBeGreaterThanOrEqual(3);
    expect(spikes.length).toBeLessThan(world.departments.length / 2);
  });

  it('keeps Acme ordinary in the months the README and help use (last month, the quarter before it)', () => {
    const seats = seatsOf('Acme Corporation');
    const recent = monthsOf(department('Acme Corporation').id).slice(-4);
    expect(recent.map((month) => month.month)).toEqual(['2026-07', '2026-08', '2026-09', '2026-10']);
    for (const month of recent) {
      expect(month.tickets, month.month).toBeGreaterThanOrEqual(0.5 * seats);
      expect(month.tickets, month.month).toBeLessThanOrEqual(2 * seats);
    }
  });

  it('has an incident spike look like one: the month\'s extra tickets in one category, raised within days', () => {
    const acme = department('Acme Corporation');
    const months = monthsOf(acme.id);
    const spike = months.find((month) => month.tickets > 2.2 * seatsOf('Acme Corporation'))!;
    const tickets = shown.filter((t) => t.department_id === acme.id && t.created_at.startsWith(spike.month));
    const byCategory = new Map<string, number>();
    for (const t of tickets) byCategory.set(t.category!, (byCategory.get(t.category!) ?? 0) + 1);
    const [top, count] = [...byCategory].sort((a, b) => b[1] - a[1])[0]!;
    expect(top).toBe('Security');
    expect(count / tickets.length).toBeGreaterThan(0.5);
    const days = new Map<string, number>();
    for (const t of tickets) days.set(t.created_at.slice(0, 10), (days.get(t.created_at.slice(0, 10)) ?? 0) + 1);
    const busiestFive = [...days.values()].sort((a, b) => b - a).slice(0, 5).reduce((sum, n) => sum + n, 0);
    expect(busiestFive / tickets.length).toBeGreaterThan(0.5);
  });

  it('logs hours in proportion to tickets: 0.4–1 hour a ticket for every client, 0.25–1.2 in any month of 20 tickets or more', () => {
    for (const d of world.departments) {
      const months = monthsOf(d.id);
      const tickets = months.reduce((sum, month) => sum + month.tickets, 0);
      const hours = months.reduce((sum, month) => sum + month.hours, 0);
      expect(hours / tickets, d.name).toBeGreaterThanOrEqual(0.4);
      expect(hours / tickets, d.name).toBeLessThanOrEqual(1);
      for (const month of months.filter((m) => m.tickets >= 20)) {
        expect(month.hours / month.tickets, `${d.name} ${month.month}`).toBeGreaterThanOrEqual(0.25);
        expect(month.hours / month.tickets, `${d.name} ${month.month}`).toBeLessThanOrEqual(1.2);
      }
    }
  });

  it('flags as proactive exactly the tickets our own agents raised, none of them surveyed', () => {
    const proactive = world.tickets.filter((t) => t.custom_fields.proactive_case === true);
    expect(proactive.length).toBeGreaterThan(0);
    const raisedByAgents = world.tickets.filter((t) => t.requester_id !== null && agentIds.has(t.requester_id));
    expect(raisedByAgents.map((t) => t.id)).toEqual(proactive.map((t) => t.id));
    expect(proactive.filter((t) => world.csat[t.id] !== undefined)).toEqual([]);
  });

  it('gives a benchmark the busy month it asks for', () => {
    const busy = seedWorld({ anchor, profile: { incidents: [{ department: 'Acme Corporation', monthsBefore: 1, day: 6, tickets: 480, category: 'Network', subjects: ['Branch office offline'] }] } });
    const acme = busy.departments.find((d) => d.name === 'Acme Corporation')!;
    const october = busy.tickets.filter((t) => t.department_id === acme.id && t.created_at.startsWith('2026-10'));
    expect(october.length).toBeGreaterThanOrEqual(500);
    expect(october.filter((t) => t.subject === 'Branch office offline').length).toBeGreaterThan(470);
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

  it('carries hostile subjects on tickets Acme\'s own people raised in the month before the anchor month', () => {
    const acme = department('Acme Corporation');
    const tickets = world.tickets.filter((t) => t.department_id === acme.id && t.created_at.startsWith('2026-10'));
    for (const hostile of HOSTILE_SUBJECTS) {
      const carrying = tickets.find((t) => t.subject === hostile);
      expect(carrying, hostile).toBeDefined();
      expect(carrying!.custom_fields.proactive_case, hostile).toBe(false);
      expect(world.requesters.find((r) => r.id === carrying!.requester_id)?.department_ids, hostile).toEqual([acme.id]);
    }
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
