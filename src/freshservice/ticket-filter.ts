import type { FreshserviceClient, RequestOptions } from './client.js';
import { FreshserviceError } from './errors.js';
import type { FreshserviceTicket } from './types.js';

/** `/tickets/filter` answers 30 tickets a page, with the number of matches in `total`; it sends no Link header. */
export const FILTER_PAGE_SIZE = 30;
/**
 * Unverified: Freshservice documents no page cap for the ticket filter. Freshdesk's filter (the same
 * Freshworks platform) refuses page 11 and reaches 300 results at most, so we never ask beyond page 10
 * and split a query whose total would need more.
 */
export const FILTER_MAX_PAGES = 10;
const FILTER_MAX_RESULTS = FILTER_PAGE_SIZE * FILTER_MAX_PAGES;
/** Freshservice started in 2010: nothing was updated before this, so it bounds the first date split. */
const EARLIEST_DAY = '2010-01-01';
const DAY_MS = 86_400_000;

export interface TicketFilter {
  /** Alternatives ORed together (e.g. one per status); split one by one when a single day holds too many matches. */
  anyOf: string[];
  /** Only tickets last updated on or before this UTC day (yyyy-mm-dd). */
  updatedUntil: string;
}

interface FilterPage {
  tickets: FreshserviceTicket[];
  total: number;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day halfway between two days (both yyyy-mm-dd, `from` before `to`). */
function middleDay(from: string, to: string): string {
  const start = Date.parse(`${from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - start) / DAY_MS);
  return dayOf(start + Math.floor(days / 2) * DAY_MS);
}

/**
 * Every ticket matching `filter`, page by page: `page=1, 2, …` until `total` is reached or a page comes
 * back short. A query whose total needs more than the page cap is split by `updated_at` day ranges
 * (dates are whole UTC days, both bounds inclusive: the filter's documented form), then per alternative.
 */
export async function* filterTickets(
  client: FreshserviceClient,
  filter: TicketFilter,
  options: { params?: RequestOptions['params']; priority?: number } = {},
): AsyncGenerator<FreshserviceTicket[], void, undefined> {
  const get = async (query: string, page: number): Promise<FilterPage> => {
    const response = await client.get<Partial<FilterPage>>('/tickets/filter', { params: { ...options.params, query, page }, priority: options.priority });
    const { tickets, total } = response.data ?? {};
    if (!Array.isArray(tickets) || typeof total !== 'number') {
      throw new FreshserviceError(`Freshservice (${client.host}) sent a page of filtered tickets without "tickets" and "total".`, { status: response.status });
    }
    return { tickets, total };
  };

  /** `from` undefined: no lower bound (everything up to `to`). */
  async function* window(anyOf: string[], from: string | undefined, to: string): AsyncGenerator<FreshserviceTicket[], void, undefined> {
    const conditions = [anyOf.length === 1 ? anyOf[0]! : `(${anyOf.join(' OR ')})`];
    if (from) conditions.push(`updated_at:>'${from}'`);
    conditions.push(`updated_at:<'${to}'`);
    const query = `"${conditions.join(' AND ')}"`;
    const first = await get(query, 1);
    if (first.total > FILTER_MAX_RESULTS) {
      const lower = from ?? EARLIEST_DAY;
      if (lower < to) {
        const middle = middleDay(lower, to);
        yield* window(anyOf, from, middle);
        yield* window(anyOf, dayOf(Date.parse(`${middle}T00:00:00Z`) + DAY_MS), to);
        return;
      }
      if (anyOf.length > 1) {
        for (const alternative of anyOf) yield* window([alternative], from, to);
        return;
      }
      throw new FreshserviceError(
        `Freshservice holds ${first.total} tickets matching ${query}, more than its filter lets us page through (${FILTER_MAX_RESULTS}); the report would miss some of them.`,
      );
    }
    yield first.tickets;
    let seen = first.tickets.length;
    for (let page = 2; seen < first.total && page <= FILTER_MAX_PAGES; page += 1) {
      const next = await get(query, page);
      if (next.tickets.length === 0) return;
      yield next.tickets;
      seen += next.tickets.length;
      if (next.tickets.length < FILTER_PAGE_SIZE) return;
    }
  }

  yield* window(filter.anyOf, undefined, filter.updatedUntil);
}
