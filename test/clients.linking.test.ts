import { describe, expect, it } from 'vitest';
import { decideLink, indexAudience, linkDirectory, toClientEntry, type AudienceMember, type DirectoryClient } from '../src/clients/linking.js';
import { nameKey } from '../src/clients/names.js';
import { toMspDirectoryClients } from '../src/clients/sync.js';

function member(email: string, firstName: string, lastName: string, status: AudienceMember['status'] = 'subscribed'): AudienceMember {
  return { email, firstName, lastName, status };
}

const acme: DirectoryClient = {
  id: 1,
  name: 'Acme',
  domains: ['acme.com'],
  prime: { firstName: 'John', lastName: 'Smith', email: 'john.smith@acme.com' },
  head: { firstName: 'Jane', lastName: 'Doe', email: 'jane.doe@acme.com' },
};

function decide(client: DirectoryClient, members: AudienceMember[], overrides = {}) {
  return toClientEntry(client, decideLink(client, indexAudience(members), overrides));
}

describe('linking rules, in the prototype order', () => {
  it('links the prime user by name first, even when the head user and the domain also match', () => {
    const entry = decide(acme, [member('jane.doe@acme.com', 'Jane', 'Doe'), member('jsmith@gmail.com', 'John', 'Smith'), member('info@acme.com', 'Info', '')]);
    expect(entry).toMatchObject({ state: 'linked', email: 'jsmith@gmail.com', via: 'prime-name', contactName: 'John Smith' });
  });

  it('falls back to the head user by name', () => {
    expect(decide(acme, [member('jd@gmail.com', 'JANE', 'DOE'), member('info@acme.com', 'Info', 'Desk')])).toMatchObject({
      state: 'linked',
      email: 'jd@gmail.com',
      via: 'head-name',
    });
  });

  it('falls back to the one audience member on one of the company domains', () => {
    const client = { ...acme, domains: ['acme.com', 'acme-corp.com'] };
    expect(decide(client, [member('desk@ACME-corp.com', '', '')])).toMatchObject({ state: 'linked', email: 'desk@ACME-corp.com', via: 'domain' });
  });

  it('asks a person when several reachable members share the domain, instead of picking one', () => {
    const entry = decide(acme, [member('a@acme.com', 'Ann', 'A'), member('b@acme.com', 'Bob', 'B'), member('c@acme.com', 'Cy', 'C', 'unsubscribed')]);
    expect(entry.state).toBe('ambiguous');
    expect(entry.email).toBeUndefined();
    expect(entry.reason).toBe('2 audience members use acme.com: a@acme.com, b@acme.com');
  });

  it('says who to add when Freshservice names a contact that is not in the audience', () => {
    expect(decide(acme, [member('x@other.com', 'Someone', 'Else')])).toMatchObject({
      state: 'to-add',
      contactToAdd: { email: 'john.smith@acme.com', firstName: 'John', lastName: 'Smith' },
      reason: 'John Smith (prime user in Freshservice) is not in the Mailchimp audience',
    });
  });

  it('proposes the head user when the prime user has no email in Freshservice', () => {
    const client = { ...acme, prime: { firstName: 'John', lastName: 'Smith' } };
    expect(decide(client, []).contactToAdd).toEqual({ email: 'jane.doe@acme.com', firstName: 'Jane', lastName: 'Doe' });
  });

  it('reports no contact when Freshservice names nobody and no member is on the domain', () => {
    const entry = decide({ id: 2, name: 'Nobody Inc', domains: ['nobody.com'] }, [member('x@other.com', 'X', 'Y')]);
    expect(entry).toMatchObject({ state: 'no-contact' });
    expect(entry.reason).toContain('nobody.com');
  });
});

describe('members that cannot receive reports are never linked silently', () => {
  it.each([
    ['unsubscribed', 'jsmith@gmail.com is unsubscribed in Mailchimp'],
    ['cleaned', 'jsmith@gmail.com is cleaned in Mailchimp (its emails bounced)'],
    ['archived', 'jsmith@gmail.com is archived in Mailchimp'],
    ['pending', 'jsmith@gmail.com has not confirmed the subscription in Mailchimp yet (pending)'],
  ] as const)('a %s member matching by name is a problem with the reason', (status, reason) => {
    expect(decide(acme, [member('jsmith@gmail.com', 'John', 'Smith', status)])).toMatchObject({ state: 'problem', email: 'jsmith@gmail.com', via: 'prime-name', reason });
  });

  it('a lone unsubscribed member on the domain is a problem, not a link', () => {
    const client = { id: 3, name: 'Solo', domains: ['solo.com'] };
    expect(decide(client, [member('boss@solo.com', 'B', 'Oss', 'unsubscribed')])).toMatchObject({ state: 'problem', via: 'domain', reason: 'boss@solo.com is unsubscribed in Mailchimp' });
  });

  it('a transactional member is reachable and links', () => {
    expect(decide(acme, [member('jsmith@gmail.com', 'John', 'Smith', 'transactional')]).state).toBe('linked');
  });
});

describe('real-world names', () => {
  it.each([
    ['extra spaces', '  John ', ' Smith  '],
    ['capitals', 'JOHN', 'SMITH'],
    ['"last, first" in FNAME', 'Smith, John', ''],
    ['"last, first" across both fields', 'Smith,', 'John'],
  ])('%s still matches exactly', (_case, first, last) => {
    expect(decide(acme, [member('js@gmail.com', first, last)])).toMatchObject({ state: 'linked', via: 'prime-name' });
  });

  it('folds accents on both sides', () => {
    const client: DirectoryClient = { id: 4, name: 'Hooli', domains: ['hooli.com'], prime: { firstName: 'Zoë', lastName: 'Müller' } };
    expect(decide(client, [member('zoe@outlook.com', 'Zoe', 'Muller')])).toMatchObject({ state: 'linked', email: 'zoe@outlook.com' });
    expect(decide({ ...client, prime: { firstName: 'Zoe', lastName: 'Muller' } }, [member('zoe@outlook.com', 'ZOË', 'MÜLLER')]).state).toBe('linked');
  });

  it('does not treat a middle initial as the same name', () => {
    const entry = decide(acme, [member('jqs@gmail.com', 'John Q.', 'Smith')]);
    expect(entry.state).toBe('to-add');
  });

  it('never matches a member with empty FNAME and LNAME by name, even against an empty Freshservice name', () => {
    const client: DirectoryClient = { id: 5, name: 'Blank', domains: [], prime: { firstName: '', lastName: '' }, head: { firstName: ' ', lastName: '' } };
    expect(decide(client, [member('nobody@gmail.com', '', '')]).state).toBe('no-contact');
    expect(nameKey('', '')).toBe('');
  });

  it('two members with the same matching name are ambiguous, listing both', () => {
    const entry = decide(acme, [member('j.smith@acme.com', 'John', 'Smith'), member('jsmith@gmail.com', 'john', 'smith ')]);
    expect(entry).toMatchObject({ state: 'ambiguous', via: 'prime-name' });
    expect(entry.reason).toBe('2 audience members are named John Smith: j.smith@acme.com, jsmith@gmail.com');
  });

  it('a member with the very address Freshservice holds for the person is a match, not ambiguous', () => {
    expect(decide(acme, [member('jsmith@gmail.com', 'John', 'Smith'), member('John.Smith@acme.com', 'john', 'smith ')])).toMatchObject({
      state: 'linked', via: 'prime-name', email: 'John.Smith@acme.com',
    });
    const noNames: DirectoryClient = { ...acme, prime: { firstName: 'Ann', lastName: 'Other', email: 'b@acme.com' } };
    expect(decide(noNames, [member('a@acme.com', 'Al', 'A'), member('b@acme.com', 'Bo', 'B')])).toMatchObject({ state: 'linked', via: 'domain', email: 'b@acme.com' });
  });
});

describe('manual links and exclusions', () => {
  const members = [member('john.smith@acme.com', 'John', 'Smith'), member('boss@elsewhere.com', 'Big', 'Boss')];
  const manual = { email: 'boss@elsewhere.com', via: 'manual' as const, by: 'Dana', at: '2026-11-01T10:00:00.000Z' };

  it('a manual link wins over every rule and records who made it and when', () => {
    const entry = toClientEntry(acme, decideLink(acme, indexAudience(members), { manual }), manual);
    expect(entry).toMatchObject({ state: 'linked', email: 'boss@elsewhere.com', via: 'manual', linkedBy: 'Dana', linkedAt: '2026-11-01T10:00:00.000Z' });
  });

  it('a manual link to a member who left the audience becomes a problem', () => {
    const entry = decide(acme, [members[0]!], { manual });
    expect(entry).toMatchObject({ state: 'problem', via: 'manual', reason: 'boss@elsewhere.com is no longer in the Mailchimp audience' });
  });

  it('an email a person unlinked is never picked by the rules again', () => {
    const entry = decide(acme, members, { excluded: new Set(['john.smith@acme.com']) });
    expect(entry.state).toBe('to-add');
  });

  it('keeps the time a rule link was first made while it stays the same', () => {
    const directory = { clients: [acme], audience: members, autoLinks: {}, manualLinks: {}, exclusions: {} };
    const first = linkDirectory(directory, '2026-10-01T00:00:00.000Z');
    const second = linkDirectory({ ...directory, autoLinks: first.autoLinks }, '2026-11-01T00:00:00.000Z');
    expect(second.entries[0]).toMatchObject({ state: 'linked', linkedBy: 'sync', linkedAt: '2026-10-01T00:00:00.000Z' });
  });
});

describe('MSP clients for the rules', () => {
  const workspace = (id: number, name: string, emailDomains: string[], contact?: { first_name: string; last_name: string; email: string }) => ({
    id,
    name,
    type: 'client',
    metadata: { primary_contact: contact ?? null, email_domains: emailDomains },
  });
  const requester = (id: number, email: string, clientId: number) => ({ id, first_name: 'A', last_name: 'B', primary_email: email, department_ids: [], belongs_to_workspace_ids: [clientId], active: true });

  it('takes the primary contact as the prime user and adds the domains only its own contacts use', () => {
    const clients = toMspDirectoryClients(
      [workspace(5, 'Acme', ['Acme.com'], { first_name: 'Wile', last_name: 'Coyote', email: 'wile@acme.com' }), workspace(6, 'Globex', [])],
      [
        requester(1, 'road.runner@acme-labs.com', 5),
        requester(2, 'someone@gmail.com', 5),
        requester(3, 'hank@globex.com', 6),
        requester(4, 'consultant@shared-partner.com', 5),
        requester(5, 'consultant2@shared-partner.com', 6),
      ],
    );
    expect(clients).toEqual([
      { id: 5, name: 'Acme', domains: ['acme.com', 'acme-labs.com'], prime: { firstName: 'Wile', lastName: 'Coyote', email: 'wile@acme.com' } },
      { id: 6, name: 'Globex', domains: ['globex.com'], prime: undefined },
    ]);
  });
});
