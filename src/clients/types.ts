/** The client directory as every caller sees it: each client's link state and the ways to change it. */

export type LinkState = 'linked' | 'to-add' | 'no-contact' | 'problem' | 'ambiguous';
export type LinkVia = 'prime-name' | 'head-name' | 'domain' | 'manual';

export interface ClientEntry {
  id: number;
  name: string;
  state: LinkState;
  /** The linked (or proposed) Mailchimp contact. */
  email?: string;
  contactName?: string;
  via?: LinkVia;
  linkedBy?: string;
  linkedAt?: string;
  /** Why the client is not linked, in one sentence ("jane@acme.com unsubscribed from the audience"). */
  reason?: string;
  /** The company's own email domains, as Freshservice lists them. */
  domains?: string[];
  /** For `to-add`: the Freshservice contact that should be added to the audience. */
  contactToAdd?: { email: string; firstName: string; lastName: string };
}

export type ClientLookup =
  | { kind: 'found'; client: ClientEntry }
  | { kind: 'ambiguous'; candidates: ClientEntry[] }
  | { kind: 'not-found'; suggestions: ClientEntry[] };

export interface ContactSuggestion {
  email: string;
  name: string;
  status: string;
  /** Human reason, e.g. "name 92 % like Jon Smyth" or "same domain acme.com". */
  reason: string;
  score: number;
}

export type ClientFix =
  | { kind: 'pick'; email: string }
  | { kind: 'email'; email: string }
  | { kind: 'add-to-audience'; email?: string; firstName?: string; lastName?: string }
  | { kind: 'unlink' };
