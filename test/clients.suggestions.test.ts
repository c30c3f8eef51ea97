import { describe, expect, it } from 'vitest';
import type { ClientEntry } from '../src/clients/types.js';
import type { AudienceMember, DirectoryClient } from '../src/clients/linking.js';
import { lookupClient } from '../src/clients/lookup.js';
import { rankSuggestions } from '../src/clients/suggestions.js';

function member(email: string, firstName: string, lastName: string, status: AudienceMember['status'] = 'subscribed'): AudienceMember {
  return { email, firstName, lastName, status };
}

const wayne: DirectoryClient = {
  id: 7,
  name: 'Wayne Dental',
  domains: ['waynedental.com'],
  prime: { firstName: 'Jon', lastName: 'Smyth', email: 'jon.smyth@waynedental.com' },
  head: { firstName: 'Bruce', lastName: 'Wayne', email: 'bruce@waynedental.com' },
};

describe('contact suggestions', () => {
  const audience = [
    member('olivia@gmail.com', 'Olivia', 'Brown'),
    member('johnsmith1978@gmail.com', 'John', 'Smith'),
    member('frontdesk@waynedental.com', '', ''),
    member('b.wayne@outlook.com', 'Bruce', 'T. Wayne'),
    member('old@waynedental.com', 'Jon', 'Smith', 'unsubscribed'),
    member('jon.smyth@waynedental.com', 'J', 'S'),
  ];

  it('ranks the same email, then a middle-initial variant, then close names and the domain, each with its reason', () => {
    const suggestions = rankSuggestions(wayne, audience);
    expect(suggestions.map((suggestion) => [suggestion.email, suggestion.reason])).toEqual([
      ['jon.smyth@waynedental.com', 'same email as Jon Smyth in Freshservice; same domain waynedental.com'],
      ['b.wayne@outlook.com', 'same name as Bruce Wayne apart from a middle initial'],
      ['old@waynedental.com', 'name 89 % like Jon Smyth; same domain waynedental.com'],
      ['johnsmith1978@gmail.com', 'name 80 % like Jon Smyth'],
      ['frontdesk@waynedental.com', 'same domain waynedental.com'],
    ]);
    expect(suggestions[0]!.score).toBe(1);
    expect(suggestions.every((suggestion, index) => index === 0 || suggestion.score <= suggestions[index - 1]!.score)).toBe(true);
    expect(suggestions.find((suggestion) => suggestion.email === 'old@waynedental.com')!.status).toBe('unsubscribed');
  });

  it('leaves out members with nothing in common and keeps at most five', () => {
    const many = Array.from({ length: 9 }, (_, index) => member(`p${index}@waynedental.com`, 'Staff', `Member${index}`));
    expect(rankSuggestions(wayne, [...many, member('olivia@gmail.com', 'Olivia', 'Brown')])).toHaveLength(5);
    expect(rankSuggestions(wayne, [member('olivia@gmail.com', 'Olivia', 'Brown')])).toEqual([]);
  });

  it('puts a reachable member before an unreachable one with the same score', () => {
    const suggestions = rankSuggestions(wayne, [member('a@x.com', 'Jon', 'Smyth', 'cleaned'), member('b@x.com', 'Jon', 'Smyth')]);
    expect(suggestions.map((suggestion) => suggestion.email)).toEqual(['b@x.com', 'a@x.com']);
  });
});

describe('finding a client from what a person typed', () => {
  const names = ['Acme Corporation', 'Globex', 'Initech', 'Tyrell Corp', 'Wayne Dental', 'Zoë Café', 'Hooli', 'Hooli'];
  const entries: ClientEntry[] = names.map((name, index) => ({ id: 100 + index, name, state: 'linked' }));
  const found = (text: string) => {
    const result = lookupClient(text, entries);
    return result.kind === 'found' ? result.client.name : result.kind;
  };

  it('finds by id, exact name, case, accents and a part of the name', () => {
    expect(found('101')).toBe('Globex');
    expect(found('#102')).toBe('Initech');
    expect(found('  initech ')).toBe('Initech');
    expect(found('zoe cafe')).toBe('Zoë Café');
    expect(found('acme')).toBe('Acme Corporation');
  });

  it('finds a misspelt name when only one client is close', () => {
    expect(found('Globx')).toBe('Globex');
    expect(found('wayne dentl')).toBe('Wayne Dental');
  });

  it('returns candidates instead of guessing when several clients match', () => {
    const result = lookupClient('corp', entries);
    expect(result).toMatchObject({ kind: 'ambiguous' });
    expect(result.kind === 'ambiguous' && result.candidates.map((candidate) => candidate.name)).toEqual(['Acme Corporation', 'Tyrell Corp']);
    const duplicate = lookupClient('Hooli', entries);
    expect(duplicate.kind === 'ambiguous' && duplicate.candidates.map((candidate) => candidate.id)).toEqual([106, 107]);
  });

  it('says not found with the closest names when nothing matches', () => {
    const result = lookupClient('Tyrannosaurus Ltd', entries);
    expect(result.kind).toBe('not-found');
    expect(result.kind === 'not-found' && result.suggestions[0]!.name).toBe('Tyrell Corp');
    const similar = lookupClient('Initrode', entries);
    expect(similar.kind === 'not-found' && similar.suggestions[0]!.name).toBe('Initech');
    expect(lookupClient('   ', entries)).toEqual({ kind: 'not-found', suggestions: [] });
  });
});
