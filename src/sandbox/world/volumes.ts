import type { Rng } from '../rng.js';
import { creationTime, type TicketPlan } from './seed-tickets.js';

const DAY = 86_400_000;

/** A burst of tickets from one incident (an outage, a phishing wave, an office move) in one client's month. */
export interface IncidentSpike {
  department: string;
  /** Which calendar month: 1 is the month before the anchor's month. */
  monthsBefore: number;
  /** The day of that month it starts (1–24); most of its tickets come in its first two days. */
  day: number;
  /** Tickets the incident adds to the month's usual volume (at seat scale 1). */
  tickets: number;
  category: string;
  subjects: readonly string[];
}

/**
 * At most one per client, none in Acme's last four months (the README's and the help's examples).
 * Umbrella Health's lands in the month before the anchor's, so the monthly digest has one busy client;
 * Globex's office move comes at the end of a month, so that month ends with a backlog.
 */
export const DEFAULT_INCIDENTS: readonly IncidentSpike[] = [
  {
    department: 'Acme Corporation',
    monthsBefore: 9,
    day: 10,
    tickets: 150,
    category: 'Security',
    subjects: ['Phishing email from "DocuSign" reported', 'Clicked a link in a phishing email', 'Password reset after phishing for {name}', 'Suspicious sign-in alert for {name}', 'Mailbox rule forwarding to an outside address'],
  },
  {
    department: 'Globex',
    monthsBefore: 2,
    day: 24,
    tickets: 110,
    category: 'Hardware',
    subjects: ['Office move: desk setup for {name}', 'Office move: second monitor not detected at desk {n}', 'Office move: desk phone has no extension', 'Office move: printer mapping for floor {n}', 'Office move: network port dead at desk {n}'],
  },
  {
    department: 'Umbrella Health',
    monthsBefore: 1,
    day: 6,
    tickets: 60,
    category: 'Software',
    subjects: ['Patient records system slow after the upgrade', 'Cannot print prescriptions since the update', 'Patient records login fails for {name}', 'Scanned documents not attaching to patient records'],
  },
  {
    department: 'Stark Logistics',
    monthsBefore: 6,
    day: 15,
    tickets: 55,
    category: 'Network',
    subjects: ['Internet down at the warehouse', 'Cannot reach the shipping system', 'Depot VPN down', 'Handheld scanners offline', 'Label printers offline after the outage'],
  },
  {
    department: 'Nakatomi Trading',
    monthsBefore: 11,
    day: 19,
    tickets: 45,
    category: 'Security',
    subjects: ['Files renamed on the shared drive', 'Antivirus quarantined files on FS0{n}', 'Cannot open files on the shared drive', 'Restore request for the Finance folder'],
  },
];

/** Calendar-month factors, January first: busier after New Year and in September, quieter in August and December. */
const SEASON = [1.1, 1.0, 1.04, 0.98, 1.0, 0.95, 0.9, 0.85, 1.08, 1.05, 1.0, 0.88];

/** Start of the UTC calendar month `offset` months from the month containing `ms`. */
export function monthStartUtc(ms: number, offset = 0): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1);
}

export interface ClientVolume {
  departmentId: number;
  seats: number;
  incident?: IncidentSpike;
}

/**
 * When each ticket is raised: per client and calendar month, seats × the client's own rate (0.6–1.4 tickets
 * a seat) × the season × ±15 % noise, kept within 0.5–2 tickets a seat; the anchor's month only up to the
 * anchor; plus the client's incident, most of it in its first two days.
 */
export function planTickets(rng: Rng, options: { anchorMs: number; months: number; clients: readonly ClientVolume[]; seatScale: number }): TicketPlan[] {
  const { anchorMs } = options;
  const plans: TicketPlan[] = [];
  const rates = options.clients.map(() => 0.6 + 0.8 * rng.next());
  for (let monthsBefore = options.months; monthsBefore >= 0; monthsBefore -= 1) {
    const from = monthStartUtc(anchorMs, -monthsBefore);
    const monthEnd = monthStartUtc(anchorMs, 1 - monthsBefore);
    const to = Math.min(monthEnd, anchorMs);
    if (to <= from) continue;
    const share = (to - from) / (monthEnd - from);
    const season = SEASON[new Date(from).getUTCMonth()]!;
    options.clients.forEach((client, index) => {
      const usual = client.seats * rates[index]! * season * (0.85 + 0.3 * rng.next());
      const count = Math.round(share * Math.min(2 * client.seats, Math.max(0.5 * client.seats, usual)));
      for (let n = 0; n < count; n += 1) plans.push({ departmentId: client.departmentId, createdMs: creationTime(rng, from, to) });
      const incident = client.incident;
      if (incident?.monthsBefore !== monthsBefore || monthsBefore === 0) return;
      const startDay = from + (incident.day - 1) * DAY;
      const extra = Math.round(incident.tickets * options.seatScale);
      for (let n = 0; n < extra; n += 1) {
        const dayFrom = startDay + Math.floor(5 * rng.next() ** 3) * DAY;
        plans.push({ departmentId: client.departmentId, createdMs: creationTime(rng, dayFrom, Math.min(dayFrom + DAY, to)), incident });
      }
    });
  }
  return plans;
}
