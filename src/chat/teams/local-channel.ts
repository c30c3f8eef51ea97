/**
 * The anonymous Teams endpoint exists for the local playground only. An activity is the playground's
 * when it comes from this computer directly (a loopback peer, not relayed by a proxy) and asks the bot
 * to answer through the playground connector of this very server, so the bot never calls anywhere else.
 */
import type { Request } from 'express';

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopback(address: string | undefined): boolean {
  return !!address && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));
}

/** Why the activity is not the local playground's, or undefined when it is. */
export function localActivityProblem(request: Request, serviceUrl: unknown, connectorPath: string): string | undefined {
  if (!isLoopback(request.socket.remoteAddress)) return 'the anonymous endpoint only answers this computer';
  if (FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined)) return 'relayed by a proxy';
  let url: URL;
  try {
    url = new URL(String(serviceUrl));
  } catch {
    return 'no valid serviceUrl';
  }
  const ownPort = String(request.socket.localPort);
  const port = url.port || (url.protocol === 'http:' ? '80' : '443');
  const pathname = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || port !== ownPort || pathname !== connectorPath || url.username || url.password) {
    return 'serviceUrl is not the local playground connector';
  }
  return undefined;
}
