/**
 * Mailchimp evaluates `*|TAG|*` wherever the literal byte pairs `*|` and `|*` appear, and has no
 * escape syntax. These functions break those pairs so text from outside can never become a merge tag.
 */

const ZERO_WIDTH_JOINER = '\u200D';

/**
 * For HTML: `*|` → `&#42;|` and `|*` → `|&#42;`. Browsers show the same characters; Mailchimp no
 * longer sees a tag. Idempotent, so an already neutralised report passes through unchanged.
 */
export function neutraliseMergeTags(html: string): string {
  return html.replaceAll('*|', '&#42;|').replaceAll('|*', '|&#42;');
}

/**
 * For plain text such as a subject line, where an entity would show literally: a zero-width joiner
 * between `*` and `|` (invisible in mail clients). Line breaks and other control characters are
 * flattened to spaces so the text cannot add a header line.
 */
export function neutraliseMergeTagsInText(text: string): string {
  return text
    .replace(/[\u0000-\u001F\u007F]+/g, ' ')
    .replace(/\*(?=\|)/g, `*${ZERO_WIDTH_JOINER}`)
    .replace(/\|(?=\*)/g, `|${ZERO_WIDTH_JOINER}`)
    .replace(/ {2,}/g, ' ')
    .trim();
}
