/**
 * Free-mail providers: addresses anyone can open, so a report about a company sent there goes to a personal
 * mailbox. The largest consumer providers only; a company on one of them (its own domains are free-mail too)
 * gets no warning.
 */
import { emailDomain } from './names.js';

const FREE_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com',
  'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'hotmail.co.uk', 'outlook.de', 'hotmail.de', 'hotmail.fr', 'live.co.uk',
  'yahoo.com', 'yahoo.co.uk', 'yahoo.de', 'yahoo.fr', 'ymail.com', 'rocketmail.com',
  'icloud.com', 'me.com', 'mac.com',
  'aol.com', 'proton.me', 'protonmail.com', 'pm.me',
  'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'zoho.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'fastmail.com', 'tutanota.com', 'hey.com',
]);

export function isFreeMail(email: string): boolean {
  return FREE_MAIL_DOMAINS.has(emailDomain(email));
}

/**
 * Why linking `email` to this client deserves a second look, or undefined: a free-mail address for a client
 * whose own domains are not free-mail (a company, not a person).
 */
export function personalAddressWarning(client: { name: string; domains?: readonly string[] }, email: string): string | undefined {
  const own = (client.domains ?? []).filter((domain) => !FREE_MAIL_DOMAINS.has(domain.toLowerCase()));
  if (own.length === 0 || !isFreeMail(email)) return undefined;
  return `${email} is a personal ${emailDomain(email)} address, not one of ${client.name}'s (${own.join(', ')}): reports about ${client.name} would go to a private mailbox.`;
}
