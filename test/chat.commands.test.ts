import { describe, expect, it } from 'vitest';
import { parseCommand, tokenize, COMMANDS } from '../src/app/commands.js';
import { PERIOD_FORMS } from '../src/period/forms.js';

function command(text: string) {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(`expected "${text}" to parse, got: ${parsed.problem}`);
  return parsed.command;
}

function mistake(text: string) {
  const parsed = parseCommand(text);
  if (parsed.ok) throw new Error(`expected "${text}" to be a mistake, got ${JSON.stringify(parsed.command)}`);
  return parsed;
}

describe('parseCommand', () => {
  it('treats an empty command as a request for help', () => {
    expect(command('')).toEqual({ name: 'help' });
    expect(command('   ')).toEqual({ name: 'help' });
  });

  it('reads generate with a quoted client name and a month', () => {
    expect(command('generate "Acme Corp" 2026-10')).toEqual({ name: 'generate', client: 'Acme Corp', period: '2026-10' });
  });

  it('forgives case, extra spaces and smart quotes', () => {
    expect(command('  GENERATE   “Acme   Corp”   2026-10 ')).toEqual({ name: 'generate', client: 'Acme Corp', period: '2026-10' });
    expect(command("Generate 'Acme Corp'")).toEqual({ name: 'generate', client: 'Acme Corp' });
  });

  it('takes unquoted multi-word names, with the period as the last word only when it looks like one', () => {
    expect(command('generate Acme Corp last-month')).toEqual({ name: 'generate', client: 'Acme Corp', period: 'last-month' });
    expect(command('generate Acme Corp')).toEqual({ name: 'generate', client: 'Acme Corp' });
    expect(command('generate Studio 54')).toEqual({ name: 'generate', client: 'Studio 54' });
  });

  it('keeps a quoted period-looking name as the name', () => {
    expect(command('generate "Acme 2026-10"')).toEqual({ name: 'generate', client: 'Acme 2026-10' });
  });

  it('accepts every documented period form, plus "last month" in two words and spaced ranges', () => {
    for (const form of PERIOD_FORMS) {
      expect(command(`send Acme ${form}`)).toEqual({ name: 'send', client: 'Acme', period: form.toLowerCase() });
    }
    expect(command('generate Acme last month')).toEqual({ name: 'generate', client: 'Acme', period: 'last-month' });
    expect(command('generate Acme 2026-07 .. 2026-09')).toEqual({ name: 'generate', client: 'Acme', period: '2026-07..2026-09' });
    expect(command('generate Acme 2026-q3')).toEqual({ name: 'generate', client: 'Acme', period: '2026-q3' });
  });

  it('passes period-shaped but impossible periods on, so the period parser can explain them', () => {
    expect(command('generate Acme 2026-13')).toEqual({ name: 'generate', client: 'Acme', period: '2026-13' });
  });

  it('reads clients, clients unlinked, fix, history and status', () => {
    expect(command('clients')).toEqual({ name: 'clients', unlinkedOnly: false });
    expect(command('clients Unlinked')).toEqual({ name: 'clients', unlinkedOnly: true });
    expect(command('list')).toEqual({ name: 'clients', unlinkedOnly: false });
    expect(command('fix "Acme Corp"')).toEqual({ name: 'fix', client: 'Acme Corp' });
    expect(command('history Acme')).toEqual({ name: 'history', client: 'Acme' });
    expect(command('status')).toEqual({ name: 'status' });
    expect(command('help generate')).toEqual({ name: 'help', topic: 'generate' });
  });

  it('ignores a leading /integoreport so pasted commands work', () => {
    expect(command('/integoreport status')).toEqual({ name: 'status' });
  });

  it('explains a missing client with what was understood and the right form', () => {
    const result = mistake('generate 2026-10');
    expect(result.understood).toBe('generate for 2026-10 (no client given)');
    expect(result.problem).toMatch(/Which client\?/);
    expect(result.usage).toBe('generate <client> [period]');
    expect(result.examples).toContain('generate "Acme Corp" 2026-10');
  });

  it('suggests the command meant by a typo', () => {
    const result = mistake('genrate Acme');
    expect(result.problem).toBe('I don\'t know the command "genrate". Did you mean "generate"?');
    expect(result.usage).toBe('generate <client> [period]');
  });

  it('lists every command for an unknown word', () => {
    const result = mistake('launch rockets');
    expect(result.problem).toBe('I don\'t know the command "launch".');
    for (const entry of COMMANDS) expect(result.usage).toContain(entry.usage);
  });

  it('rejects extra words where none belong, naming them', () => {
    expect(mistake('status now').problem).toContain('"now"');
    expect(mistake('clients all').problem).toContain('"all"');
    expect(mistake('history Acme 2026-10').problem).toContain('leave out "2026-10"');
    expect(mistake('help frobnicate').problem).toContain('frobnicate');
  });

  it('never throws on hostile input', () => {
    for (const text of ['"', '""', '"unterminated name', '<!channel>', '*|FNAME|*', '`rm -rf`', '\u0000\u202e', 'x'.repeat(100_000)]) {
      expect(() => parseCommand(text)).not.toThrow();
    }
  });
});

describe('tokenize', () => {
  it('keeps quoted runs together and drops empty quotes', () => {
    expect(tokenize('a "b  c" "" d').map((token) => token.text)).toEqual(['a', 'b c', 'd']);
  });
});
