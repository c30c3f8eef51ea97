import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosBasicCredentials, type AxiosInstance } from 'axios';

export interface TextHttpOptions {
  baseURL?: string;
  timeoutMs: number;
  /** Keep-alive connections per host. */
  maxSockets: number;
  headers?: Record<string, string>;
  auth?: AxiosBasicCredentials;
}

/**
 * An axios instance for our API clients: every answer comes back as text whatever its status, and no redirect
 * is followed, so each client reads status, headers and body itself and decides what to retry.
 */
export function createTextHttp(options: TextHttpOptions): AxiosInstance {
  return axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    auth: options.auth,
    headers: options.headers,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });
}

/** An answer's JSON; undefined when the body is empty or not JSON. */
export function parseJsonText(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? undefined;
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
