import { json, type Handler } from '../api.js';
import { isValidEmail } from '../state.js';
import { validationError } from './errors.js';

/** `/rejects/add`: later messages to the address are rejected as `unsub`. */
export const addReject: Handler = (context) => {
  const email = String((context.body as Record<string, unknown>).email ?? '').trim().toLowerCase();
  if (!isValidEmail(email)) return validationError('{"email":"Please enter a valid email address"}');
  if (!context.state.suppressions.includes(email)) context.state.suppressions.push(email);
  context.changed();
  return json({ email, added: true });
};

export const deleteReject: Handler = (context) => {
  const email = String((context.body as Record<string, unknown>).email ?? '').trim().toLowerCase();
  const deleted = context.state.suppressions.includes(email);
  context.state.suppressions = context.state.suppressions.filter((candidate) => candidate !== email);
  if (deleted) context.changed();
  return json({ email, deleted });
};
