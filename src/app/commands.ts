/**
 * The chat command grammar shared by Slack (`/integoreport <text>`) and Teams (`@IntegoReport <text>`).
 * Pure: text in, a command or an explanation of the mistake out. Periods are only recognised by
 * shape here; whether "2026-13" is a real month is decided by the period parser later.
 */

import { editDistance } from '../clients/names.js';
import { splitTrailingPeriod } from '../period/forms.js';

export type CommandName = 'help' | 'clients' | 'fix' | 'generate' | 'send' | 'history' | 'contract' | 'digest' | 'map' | 'status';

export type Command =
  | { name: 'help'; topic?: CommandName }
  | { name: 'clients'; unlinkedOnly: boolean }
  | { name: 'fix'; client: string }
  | { name: 'generate'; client: string; period?: string }
  | { name: 'send'; client: string; period?: string }
  | { name: 'history'; client: string }
  /** `hours`: the new monthly allowance, null to remove it, undefined to show it. */
  | { name: 'contract'; client: string; hours?: number | null }
  /** `preview`: shown only to the person who asked, posted nowhere. */
  | { name: 'digest'; period?: string; preview: boolean }
  /** Without `source` and `target`: show the client's mappings. */
  | { name: 'map'; client: string; source?: string; target?: string }
  | { name: 'status' };

export interface CommandMistake {
  ok: false;
  /** What was understood so far, e.g. `generate (no client given)`. */
  understood: string;
  /** One sentence: what is wrong. */
  problem: string;
  /** The right form, e.g. `generate <client> [period]`. */
  usage: string;
  /** Example commands that work. */
  examples: string[];
}

export type ParsedCommand = { ok: true; command: Command } | CommandMistake;

export interface CommandHelp {
  name: CommandName;
  usage: string;
  summary: string;
  examples: string[];
}

/** Every command with its usage line, in the order `help` shows them. */
export const COMMANDS: readonly CommandHelp[] = Object.freeze([
  { name: 'generate', usage: 'generate <client> [period]', summary: 'Build a client\'s report (default: last month) and show it for approval.', examples: ['generate "Acme Corp" 2026-10', 'generate Acme last-month', 'generate Acme 2026-Q3'] },
  { name: 'send', usage: 'send <client> [period]', summary: 'Show the newest report for that period with its Send button (Send again once the period went out); it never generates one.', examples: ['send "Acme Corp" 2026-10'] },
  { name: 'clients', usage: 'clients [unlinked]', summary: 'List clients and their Mailchimp contact; "unlinked" shows only those that need fixing.', examples: ['clients', 'clients unlinked'] },
  { name: 'fix', usage: 'fix <client>', summary: 'Choose or add the Mailchimp contact that receives a client\'s report.', examples: ['fix "Acme Corp"'] },
  { name: 'history', usage: 'history <client>', summary: 'Reports generated and sent for a client.', examples: ['history Acme'] },
  { name: 'contract', usage: 'contract <client> [hours | none]', summary: 'Show or set the billable hours a client\'s contract includes each month; reports show hours against it and any overage.', examples: ['contract Acme 40', 'contract "Acme Corp" none', 'contract Acme'] },
  { name: 'digest', usage: 'digest [period] [preview]', summary: 'Approvers: post the monthly digest here now (a draft for every linked client with Approve & send, Approve all, and what needs attention); "preview" shows it only to you.', examples: ['digest', 'digest 2026-10', 'digest preview'] },
  { name: 'map', usage: 'map <client> [<source> <site or tenant | none | auto>]', summary: 'Show or set which SentinelOne site (sentinelone) or Microsoft 365 tenant (m365) a client\'s reports read, found automatically unless set by hand; "none" leaves the section out, "auto" goes back to the automatic match.', examples: ['map Acme', 'map Acme sentinelone "Acme Corp HQ"', 'map Acme m365 none'] },
  { name: 'status', usage: 'status', summary: 'Sandbox or live, last sync, counts of clients, reports and sends.', examples: ['status'] },
  { name: 'help', usage: 'help [command]', summary: 'This list, or the details of one command.', examples: ['help', 'help generate'] },
]);

/** Accepted spellings of each command name. */
const ALIASES: Record<string, CommandName> = {
  help: 'help', '?': 'help', '-h': 'help', '--help': 'help',
  clients: 'clients', client: 'clients', list: 'clients',
  fix: 'fix', link: 'fix',
  contract: 'contract', allowance: 'contract',
  map: 'map', mapping: 'map',
  generate: 'generate', gen: 'generate', report: 'generate',
  send: 'send', approve: 'send',
  history: 'history',
  digest: 'digest',
  status: 'status',
};

const PREVIEW_WORDS = new Set(['preview', '--preview', 'dry-run', '--dry-run']);

const UNLINKED_WORDS = new Set(['unlinked', '--unlinked', 'unlinked-only', 'needs-fix']);

interface Token {
  text: string;
  quoted: boolean;
}

const QUOTE_PAIRS: Record<string, string> = { '"': '"', "'": "'", '“': '”', '”': '”', '‘': '’', '’': '’', '«': '»', '„': '“' };

/** Splits on whitespace, keeping quoted runs ("Acme Corp", “Acme Corp”, 'Acme Corp') as one token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const characters = [...text];
  let index = 0;
  while (index < characters.length) {
    const character = characters[index]!;
    if (/\s/u.test(character)) {
      index += 1;
      continue;
    }
    const closing = QUOTE_PAIRS[character];
    if (closing) {
      const end = characters.indexOf(closing, index + 1);
      const stop = end === -1 ? characters.length : end;
      const inner = characters.slice(index + 1, stop).join('').replace(/\s+/gu, ' ').trim();
      if (inner) tokens.push({ text: inner, quoted: true });
      index = stop + 1;
      continue;
    }
    let end = index;
    while (end < characters.length && !/\s/u.test(characters[end]!)) end += 1;
    tokens.push({ text: characters.slice(index, end).join(''), quoted: false });
    index = end;
  }
  return tokens;
}

/** A quoted token is a name, never a period. */
function periodWord(token: Token): string {
  return token.quoted ? '' : token.text;
}

function helpFor(name: CommandName): CommandHelp {
  return COMMANDS.find((entry) => entry.name === name)!;
}

function mistake(name: CommandName | undefined, understood: string, problem: string): CommandMistake {
  if (!name) {
    return {
      ok: false,
      understood,
      problem,
      usage: COMMANDS.map((entry) => entry.usage).join('\n'),
      examples: ['generate "Acme Corp" 2026-10', 'clients unlinked', 'help'],
    };
  }
  const entry = helpFor(name);
  return { ok: false, understood, problem, usage: entry.usage, examples: entry.examples };
}

/** The closest command name by edit distance, when the typo is small. */
function closestCommand(word: string): CommandName | undefined {
  let best: { name: CommandName; distance: number } | undefined;
  for (const [alias, name] of Object.entries(ALIASES)) {
    const distance = editDistance(word, alias);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= 2 && word.length > 2 ? best.name : undefined;
}

function joined(tokens: Token[]): string {
  return tokens.map((token) => token.text).join(' ');
}

function shown(text: string, limit = 60): string {
  const flat = text.replace(/\s+/gu, ' ');
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** Parses one command line. Never throws; every mistake explains itself with the right form. */
export function parseCommand(text: string): ParsedCommand {
  const tokens = tokenize(text.replace(/^\/integoreport\b/i, ''));
  if (tokens.length === 0) return { ok: true, command: { name: 'help' } };

  const [first, ...rest] = tokens;
  const word = first!.text.toLowerCase();
  const name = first!.quoted ? undefined : ALIASES[word];
  if (!name) {
    const guess = first!.quoted ? undefined : closestCommand(word);
    return mistake(
      guess,
      `"${shown(first!.text, 30)}"`,
      guess ? `I don't know the command "${shown(first!.text, 30)}". Did you mean "${guess}"?` : `I don't know the command "${shown(first!.text, 30)}".`,
    );
  }

  switch (name) {
    case 'help': {
      if (rest.length === 0) return { ok: true, command: { name: 'help' } };
      const topic = ALIASES[rest[0]!.text.toLowerCase()];
      if (!topic || rest.length > 1) {
        return mistake('help', 'help', `There is no command called "${shown(joined(rest), 30)}".`);
      }
      return { ok: true, command: { name: 'help', topic } };
    }
    case 'status': {
      if (rest.length > 0) {
        return mistake('status', 'status', `"status" takes nothing after it, but got "${shown(joined(rest))}".`);
      }
      return { ok: true, command: { name: 'status' } };
    }
    case 'clients': {
      if (rest.length === 0) return { ok: true, command: { name: 'clients', unlinkedOnly: false } };
      if (rest.length === 1 && UNLINKED_WORDS.has(rest[0]!.text.toLowerCase())) {
        return { ok: true, command: { name: 'clients', unlinkedOnly: true } };
      }
      return mistake('clients', 'clients', `After "clients" I only understand "unlinked", but got "${shown(joined(rest))}".`);
    }
    case 'digest': {
      const preview = rest.some((token) => !token.quoted && PREVIEW_WORDS.has(token.text.toLowerCase()));
      const others = rest.filter((token) => token.quoted || !PREVIEW_WORDS.has(token.text.toLowerCase()));
      if (others.length > 1 || others.some((token) => token.quoted)) {
        return mistake('digest', preview ? 'digest preview' : 'digest', `After "digest" I understand one period and "preview", but got "${shown(joined(others))}".`);
      }
      const period = others[0]?.text;
      return { ok: true, command: period ? { name: 'digest', period, preview } : { name: 'digest', preview } };
    }
    case 'fix':
    case 'history': {
      const { rest: nameTokens, period } = splitTrailingPeriod(rest, periodWord);
      const client = joined(nameTokens);
      if (!client) return mistake(name, `${name} (no client given)`, `Which client? Put the client's name after "${name}".`);
      if (period) {
        return mistake(name, `${name} for client "${shown(client)}"`, `"${name}" covers every period; leave out "${period}".`);
      }
      return { ok: true, command: { name, client } };
    }
    case 'contract': {
      const last = rest.at(-1);
      const hours = last && !last.quoted ? contractHours(last.text) : undefined;
      const client = joined(hours === undefined ? rest : rest.slice(0, -1));
      if (!client) return mistake(name, 'contract (no client given)', 'Which client? Put the client\'s name after "contract", then the hours a month.');
      if (hours === false) return mistake(name, `contract for client "${shown(client)}"`, `"${shown(last!.text, 20)}" is not a number of hours; give hours a month like 40 or 12.5, or "none" to remove the allowance.`);
      return { ok: true, command: hours === undefined ? { name, client } : { name, client, hours } };
    }
    case 'map': {
      const wanted = mapWords(rest.map((token) => token.text));
      if (!wanted.client) return mistake(name, 'map (no client given)', 'Which client? Put the client\'s name after "map", then the source and its site.');
      return { ok: true, command: wanted.source && wanted.target ? { name, client: wanted.client, source: wanted.source, target: wanted.target } : { name, client: wanted.client } };
    }
    case 'generate':
    case 'send': {
      const { rest: nameTokens, period } = splitTrailingPeriod(rest, periodWord);
      const client = joined(nameTokens);
      if (!client) {
        return mistake(name, period ? `${name} for ${period} (no client given)` : `${name} (no client given)`, `Which client? Put the client's name after "${name}".`);
      }
      return { ok: true, command: period ? { name, client, period } : { name, client } };
    }
  }
}

/**
 * The hours of `contract <client> <hours>`: a number (40, 12.5, "40h") or none/off/0 for no allowance;
 * false for a word that looks like hours but is not valid; undefined when the word is part of the name.
 */
export function contractHours(word: string): number | null | false | undefined {
  const text = word.trim().toLowerCase();
  if (['none', 'off', 'remove', '0', '0h'].includes(text)) return null;
  const match = /^(\d{1,4}(?:[.,]\d{1,2})?)\s*(h|hrs?|hours?)?$/.exec(text);
  if (match) return Number(match[1]!.replace(',', '.')) || null;
  return /^[\d.,-]+\s*(h|hrs?|hours?)?$/.test(text) ? false : undefined;
}

/** Usage lines and examples, for `help` and for mistakes. */
export function commandHelp(topic?: CommandName): CommandHelp[] {
  return topic ? [helpFor(topic)] : [...COMMANDS];
}

/**
 * The words of `map <client> [<source> <target>]`: with three words or more, the last two are the source and
 * the target (quote a name of several words), the rest the client; fewer words are the client alone.
 */
export function mapWords(words: readonly string[]): { client: string; source?: string; target?: string } {
  if (words.length < 3) return { client: words.join(' ').trim() };
  return { client: words.slice(0, -2).join(' ').trim(), source: words.at(-2)!, target: words.at(-1)! };
}

/** A client's name as a command takes it: quoted when it has spaces ("Acme Corporation"). */
export function quotedName(name: string): string {
  return /\s/.test(name) ? `"${name.replace(/"/g, '')}"` : name;
}
