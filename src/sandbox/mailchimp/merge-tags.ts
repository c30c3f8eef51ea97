/**
 * Mailchimp-style merge-tag evaluation. Mailchimp matches the literal byte sequences `*|` and `|*`,
 * so `&#42;|FNAME|*` or `*%7CFNAME%7C*` stay as they are; that is what our escaping relies on.
 */
export type MergeValues = Record<string, string>;

const CONDITIONAL = /\*\|(IF|IFNOT):([A-Z0-9_]+)\|\*([\s\S]*?)(?:\*\|ELSE:\|\*([\s\S]*?))?\*\|END:IF\|\*/g;
const TAG = /\*\|([A-Za-z0-9_:\-]+)\|\*/g;

/** Replaces every `*|TAG|*` with its value (tag names are case-insensitive); unknown tags become empty. */
export function evaluateMergeTags(text: string, values: MergeValues): string {
  const lookup = (name: string): string => values[name.toUpperCase()] ?? '';
  return text
    .replace(CONDITIONAL, (_match, kind: string, name: string, whenTrue: string, whenFalse = '') => {
      const present = lookup(name) !== '';
      return (kind === 'IF') === present ? whenTrue : whenFalse;
    })
    .replace(TAG, (_match, name: string) => lookup(name));
}

/** Adds the compliance footer Mailchimp appends to campaigns, before `</body>` when there is one. */
export function appendFooter(html: string, footer: { listName: string; unsubscribeUrl: string; updateProfileUrl: string }): string {
  const block =
    '<table role="presentation" width="100%" class="mc-footer"><tr><td style="font-size:12px;color:#656565;text-align:center;padding:24px;">' +
    `You are receiving this email because you are on the list ${escapeHtml(footer.listName)}.<br>` +
    `<a href="${escapeHtml(footer.updateProfileUrl)}">update your preferences</a> or ` +
    `<a href="${escapeHtml(footer.unsubscribeUrl)}">unsubscribe from this list</a>.` +
    '</td></tr></table>';
  const closing = html.search(/<\/body>/i);
  return closing === -1 ? html + block : html.slice(0, closing) + block + html.slice(closing);
}

/** A crude plain-text rendering of HTML, like the one Mailchimp generates when only `html` is given. */
export function htmlToPlainText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(style|script|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
      .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, '$2 ($1)')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(p|div|h[1-6]|tr|li|table)>/gi, '\n')
      .replace(/<\/t[dh]>/gi, '\t')
      .replace(/<[^>]+>/g, ''),
  )
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line, index, lines) => line !== '' || (index > 0 && lines[index - 1] !== ''))
    .join('\n')
    .trim();
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity.toLowerCase()] ?? match;
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
