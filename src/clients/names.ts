/** Letters NFKD does not decompose into a base letter plus accents. */
const SPECIAL_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower-case, accents folded, whitespace collapsed and trimmed: "  Zoë   MÜLLER " → "zoe muller". */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The key two names must share to count as the same person: folded, and "Smith, John" turned
 * into "john smith". Empty when there is no name at all, and an empty key never matches.
 */
export function nameKey(first: string | null | undefined, last?: string | null): string {
  const folded = foldText(`${first ?? ''} ${last ?? ''}`);
  const comma = /^([^,]+),([^,]+)$/.exec(folded);
  return comma ? `${comma[2]!.trim()} ${comma[1]!.trim()}` : folded.replace(/,/g, '').trim();
}

/** The key without one-letter words ("john q. smith" → "john smith"), for "same person, middle initial aside". */
export function withoutInitials(key: string): string {
  return key
    .split(' ')
    .filter((word) => word.replace(/\./g, '').length > 1)
    .join(' ');
}

/** A name for display: the parts trimmed and joined with one space. */
export function displayName(first: string | null | undefined, last?: string | null): string {
  return `${first ?? ''} ${last ?? ''}`.replace(/\s+/g, ' ').trim();
}

const EMAIL_ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[A-Za-z]{2,}$/;

/** Whether the text is one plain email address (no display name, no list). */
export function isEmailAddress(text: string): boolean {
  return EMAIL_ADDRESS.test(text);
}

/** The domain of an email address, lower-case; empty when the text has no "@". */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).trim().toLowerCase();
}

/** Levenshtein distance: edits needed to turn one text into the other. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** 0..1, how alike two name keys are: 1 for equal, word order ignored, edits weighed against the longer name. */
export function nameSimilarity(a: string, b: string): number {
  if (!a || !b) return 0;
  const sorted = (key: string) => key.split(' ').sort().join(' ');
  const ratio = (x: string, y: string) => 1 - editDistance(x, y) / Math.max(x.length, y.length);
  return Math.max(ratio(a, b), ratio(sorted(a), sorted(b)));
}

/** 0..1, how well typed text fits a name: the whole text, or each typed word against its closest word in the name. */
export function textSimilarity(query: string, name: string): number {
  const queryWords = query.split(' ').filter(Boolean);
  const nameWords = name.split(' ').filter(Boolean);
  if (queryWords.length === 0 || nameWords.length === 0) return 0;
  const perWord = queryWords.reduce((sum, word) => sum + Math.max(...nameWords.map((candidate) => nameSimilarity(word, candidate))), 0) / queryWords.length;
  return Math.max(nameSimilarity(query, name), perWord);
}
