import { createHash } from 'node:crypto';
import { uniqueByEmail, type AudienceMember, type MemberStatus } from '../clients/linking.js';
import { MailchimpError } from './errors.js';
import type { MailchimpHttp } from './http.js';

/** Mailchimp's largest page for GET /lists/{id}/members. */
export const MEMBERS_PAGE_SIZE = 1000;
/** Only what linking reads; everything else Mailchimp would send is left out. */
const MEMBER_FIELDS = 'email_address,status,merge_fields';
const PAGE_FIELDS = `${MEMBER_FIELDS.split(',').map((field) => `members.${field}`).join(',')},total_items`;

interface RawMember {
  email_address: string;
  status: MemberStatus;
  merge_fields?: Record<string, unknown>;
}

interface MembersPage {
  members: RawMember[];
  total_items: number;
}

/** Mailchimp's subscriber hash: md5 of the lower-case address. */
export function subscriberHash(email: string): string {
  return createHash('md5').update(email.trim().toLowerCase()).digest('hex');
}

export interface UpsertContact {
  email: string;
  firstName: string;
  lastName: string;
  /** Only used when the address is new; an existing member keeps its status (an unsubscribe stays an unsubscribe). */
  statusIfNew: 'subscribed' | 'pending' | 'transactional';
}

export interface MailchimpMembers {
  /** Every member of the audience, whatever its status (archived ones too), 1000 per request. */
  listAll(): Promise<AudienceMember[]>;
  /** One member, or undefined when the address is not in the audience. */
  get(email: string): Promise<AudienceMember | undefined>;
  /** Adds the contact, or updates its name when it exists; never changes an existing member's status. */
  upsert(contact: UpsertContact): Promise<AudienceMember>;
  tag(email: string, tags: string[]): Promise<void>;
}

export function createMailchimpMembers(http: MailchimpHttp, audienceId: string, pageSize = MEMBERS_PAGE_SIZE): MailchimpMembers {
  const list = `/lists/${encodeURIComponent(audienceId)}`;
  const member = (email: string) => `${list}/members/${subscriberHash(email)}`;
  const page = (offset: number, status?: MemberStatus) =>
    http.get<MembersPage>(`${list}/members`, { count: pageSize, offset, fields: PAGE_FIELDS, status });
  const listStatus = async (status?: MemberStatus) => {
    const first = await page(0, status);
    const offsets: number[] = [];
    for (let offset = pageSize; offset < first.total_items; offset += pageSize) offsets.push(offset);
    const rest = await Promise.all(offsets.map((offset) => page(offset, status)));
    return [first, ...rest].flatMap((result) => result.members ?? []);
  };

  return {
    async listAll() {
      // Mailchimp leaves archived members out unless asked for them by status.
      const [current, archived] = await Promise.all([listStatus(), listStatus('archived')]);
      return uniqueByEmail([...current, ...archived].map(toAudienceMember));
    },
    async get(email) {
      try {
        return toAudienceMember(await http.get<RawMember>(member(email), { fields: MEMBER_FIELDS }));
      } catch (error) {
        if (error instanceof MailchimpError && error.status === 404) return undefined;
        throw error;
      }
    },
    async upsert(contact) {
      // An empty name is left out rather than sent, so it never blanks the name of an existing member.
      const names = Object.fromEntries(
        Object.entries({ FNAME: contact.firstName.trim(), LNAME: contact.lastName.trim() }).filter(([, value]) => value !== ''),
      );
      const body = {
        email_address: contact.email.trim(),
        status_if_new: contact.statusIfNew,
        ...(Object.keys(names).length > 0 ? { merge_fields: names } : {}),
      };
      return toAudienceMember(await http.put<RawMember>(member(contact.email), body));
    },
    async tag(email, tags) {
      await http.post(`${member(email)}/tags`, { tags: tags.map((name) => ({ name, status: 'active' })) });
    },
  };
}

function toAudienceMember(raw: RawMember): AudienceMember {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    email: raw.email_address,
    status: raw.status,
    firstName: text(raw.merge_fields?.FNAME),
    lastName: text(raw.merge_fields?.LNAME),
  };
}
