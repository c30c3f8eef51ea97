/**
 * Stop Mailchimp from expanding merge tags that came from outside data (a ticket subject `*|FNAME|*`):
 * `*|` → `&#42;|` and `|*` → `|&#42;`. For HTML; a browser still shows the asterisks.
 */
export function neutraliseMergeTags(html: string): string {
  return html.replaceAll('*|', '&#42;|').replaceAll('|*', '|&#42;');
}
