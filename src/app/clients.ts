import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { DirectoryData, DirectoryStore, SyncSummary } from '../clients/directory-store.js';
import { ClientError } from '../clients/errors.js';
import {
  isReachable,
  linkDirectory,
  normalizeEmail,
  unreachableReason,
  type AudienceMember,
  type ContactPerson,
  type DirectoryClient,
} from '../clients/linking.js';
import { lookupClient } from '../clients/lookup.js';
import { isEmailAddress } from '../clients/names.js';
import { rankSuggestions } from '../clients/suggestions.js';
import { syncDirectory, type FreshserviceDirectorySource } from '../clients/sync.js';
import { MailchimpError } from '../mailchimp/errors.js';
import type { MailchimpMembers } from '../mailchimp/members.js';
import type { Actor } from './ports.js';
import type { ClientEntry, ClientFix, ClientLookup, ContactSuggestion } from '../clients/types.js';
import { requireApprover, type Approver } from '../approvers.js';

/** The tag IntegoReport puts on every contact it adds to the audience. */
export const ADDED_CONTACT_TAG = 'integoreport';

export interface ClientUseCaseDeps {
  store: DirectoryStore;
  mailchimp: MailchimpMembers;
  freshserviceSource: FreshserviceDirectorySource;
  clock: Clock;
  config: { statusIfNew: 'subscribed' | 'pending' | 'transactional' };
  /** Who may change a client's contact. */
  approvers: readonly Approver[];
  logger: Logger;
  /** Requests made so far per service, recorded with each sync. */
  requestCounts?: () => { freshservice: number; mailchimp: number };
}

export interface ClientUseCases {
  listClients(options?: { unlinkedOnly?: boolean }): Promise<ClientEntry[]>;
  findClient(text: string): Promise<ClientLookup>;
  suggestContacts(clientId: number): Promise<ContactSuggestion[]>;
  fixClient(actor: Actor, clientId: number, fix: ClientFix): Promise<ClientEntry>;
  syncClients(): Promise<SyncSummary>;
  /** Last successful sync and any failure since, for status lines. */
  syncStatus(): Promise<Pick<DirectoryData, 'lastSync' | 'lastSyncFailure'>>;
}

function validEmail(text: string | undefined): string {
  const email = (text ?? '').trim().replace(/^mailto:/i, '').replace(/^<(.*)>$/, '$1');
  if (!isEmailAddress(email)) throw new ClientError(`"${text ?? ''}" is not an email address; type one like jane@acme.com.`);
  return email;
}

export function createClientUseCases(deps: ClientUseCaseDeps): ClientUseCases {
  const { store, mailchimp, clock, logger } = deps;

  let runningSync: Promise<SyncSummary> | undefined;
  /** One sync at a time: callers that arrive while one runs share its result. */
  const syncClients = (): Promise<SyncSummary> => {
    runningSync ??= syncDirectory({ store, source: deps.freshserviceSource, audience: mailchimp, clock, logger, requestCounts: deps.requestCounts }).finally(() => {
      runningSync = undefined;
    });
    return runningSync;
  };

  async function directory(): Promise<DirectoryData> {
    const data = await store.read();
    if (data.lastSync) return data;
    await syncClients();
    return store.read();
  }

  async function clientOrFail(clientId: number): Promise<{ data: DirectoryData; client: DirectoryClient; entry: ClientEntry }> {
    const data = await directory();
    const client = data.clients.find((candidate) => candidate.id === clientId);
    const entry = data.entries.find((candidate) => candidate.id === clientId);
    if (!client || !entry) throw new ClientError(`There is no client with id ${clientId}; run a sync if it was added in Freshservice recently.`);
    return { data, client, entry };
  }

  /** Saves a person's change to one client, with who made it and when, and returns that client's new entry. */
  function saveFix(clientId: number, actor: Actor, kind: ClientFix['kind'], change: (data: DirectoryData, at: string, by: string) => void): Promise<ClientEntry> {
    const at = clock.now().toISOString();
    const by = actor.name || actor.id;
    return store.update((data) => {
      change(data, at, by);
      const who = { platform: actor.platform, id: actor.id, ...(actor.osUser ? { osUser: actor.osUser } : {}) };
      data.fixes = [...data.fixes, { clientId, kind, email: data.manualLinks[String(clientId)]?.email, by, actor: who, at }];
      const { entries, autoLinks } = linkDirectory(data, at, new Set([clientId]));
      const entry = entries[0]!;
      data.autoLinks = autoLinks;
      data.entries = data.entries.map((existing) => (existing.id === clientId ? entry : existing));
      logger.info({ clientId, fix: kind, actor: { platform: actor.platform, id: actor.id }, state: entry.state }, 'client fixed');
      return entry;
    });
  }

  function rememberMember(data: DirectoryData, member: AudienceMember): void {
    const email = normalizeEmail(member.email);
    data.audience = [...data.audience.filter((existing) => normalizeEmail(existing.email) !== email), member];
  }

  function linkManually(clientId: number, actor: Actor, kind: ClientFix['kind'], member: AudienceMember): Promise<ClientEntry> {
    return saveFix(clientId, actor, kind, (data, at, by) => {
      const key = String(clientId);
      rememberMember(data, member);
      data.manualLinks[key] = { email: member.email, via: 'manual', by, at };
      const email = normalizeEmail(member.email);
      data.exclusions[key] = (data.exclusions[key] ?? []).filter((exclusion) => normalizeEmail(exclusion.email) !== email);
    });
  }

  async function linkExisting(actor: Actor, clientId: number, fix: { kind: 'pick' | 'email'; email: string }): Promise<ClientEntry> {
    const { client } = await clientOrFail(clientId);
    const email = validEmail(fix.email);
    const member = await mailchimp.get(email).catch((error: unknown) => {
      throw mailchimpFailure(error, `check ${email} in Mailchimp`);
    });
    if (!member) {
      throw new ClientError(`${email} is not in the Mailchimp audience, so it cannot be linked to ${client.name} as it is.`, { problem: 'not-in-audience' });
    }
    if (!isReachable(member.status)) {
      throw new ClientError(`${unreachableReason(member)}, so reports would not reach it; pick another contact for ${client.name}.`, { problem: 'unreachable' });
    }
    return linkManually(clientId, actor, fix.kind, member);
  }

  async function addToAudience(actor: Actor, clientId: number, fix: Extract<ClientFix, { kind: 'add-to-audience' }>): Promise<ClientEntry> {
    const { client, entry } = await clientOrFail(clientId);
    const people = [client.prime, client.head].filter((person): person is ContactPerson & { email: string } => !!person?.email);
    const typed = fix.email ? validEmail(fix.email) : undefined;
    // A typed email of a Freshservice contact takes that contact's name unless one was given.
    const known = typed ? people.find((person) => normalizeEmail(person.email) === normalizeEmail(typed)) : entry.contactToAdd ?? people[0];
    const email = typed ?? (known?.email ? validEmail(known.email) : undefined);
    const contact = email ? { email, firstName: fix.firstName ?? known?.firstName ?? '', lastName: fix.lastName ?? known?.lastName ?? '' } : undefined;
    if (!contact) {
      throw new ClientError(`Freshservice has no contact with an email address for ${client.name}; give the email to add.`);
    }
    let member: AudienceMember;
    try {
      member = await mailchimp.upsert({ ...contact, statusIfNew: deps.config.statusIfNew });
    } catch (error) {
      throw mailchimpFailure(error, `add ${contact.email} to the audience`);
    }
    try {
      await mailchimp.tag(member.email, [ADDED_CONTACT_TAG]);
    } catch (error) {
      logger.warn({ err: error, clientId }, `contact added but the "${ADDED_CONTACT_TAG}" tag could not be set`);
    }
    return linkManually(clientId, actor, 'add-to-audience', member);
  }

  async function unlink(actor: Actor, clientId: number): Promise<ClientEntry> {
    const { client, entry } = await clientOrFail(clientId);
    if (!entry.email || (entry.state !== 'linked' && entry.state !== 'problem')) {
      throw new ClientError(`${client.name} is not linked to a Mailchimp contact, so there is nothing to unlink.`);
    }
    const email = entry.email;
    return saveFix(clientId, actor, 'unlink', (data, at, by) => {
      const key = String(clientId);
      delete data.manualLinks[key];
      const others = (data.exclusions[key] ?? []).filter((exclusion) => normalizeEmail(exclusion.email) !== normalizeEmail(email));
      data.exclusions[key] = [...others, { email, by, at }];
    });
  }

  return {
    async listClients(options = {}) {
      const { entries } = await directory();
      return options.unlinkedOnly ? entries.filter((entry) => entry.state !== 'linked') : entries;
    },
    async findClient(text) {
      return lookupClient(text, (await directory()).entries);
    },
    async suggestContacts(clientId) {
      const { data, client } = await clientOrFail(clientId);
      return rankSuggestions(client, data.audience);
    },
    async fixClient(actor, clientId, fix) {
      requireApprover(deps.approvers, actor, 'fix');
      switch (fix.kind) {
        case 'pick':
        case 'email':
          return linkExisting(actor, clientId, fix);
        case 'add-to-audience':
          return addToAudience(actor, clientId, fix);
        case 'unlink':
          return unlink(actor, clientId);
      }
    },
    syncClients,
    async syncStatus() {
      const { lastSync, lastSyncFailure } = await store.read();
      return { lastSync, lastSyncFailure };
    },
  };
}

/** Mailchimp's refusal in its own words ("Member In Compliance State: …"), or a plain "could not reach" sentence. */
function mailchimpFailure(error: unknown, action: string): ClientError {
  if (error instanceof MailchimpError && !error.transient && error.status >= 400 && error.status < 500) {
    const fields = error.errors?.map((field) => `${field.field}: ${field.message}`).join('; ');
    return new ClientError(`Mailchimp refused to ${action}: ${error.detail}${fields ? ` (${fields})` : ''} [${error.title}]`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ClientError(`Could not ${action} because Mailchimp did not answer properly (${reason}).`, { cause: error, retryable: true });
}
