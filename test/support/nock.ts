import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * Nock for the calling test file: no request leaves the machine (`loopback: true` keeps 127.0.0.1
 * open for our own servers), interceptors are cleared after each test, and the network is given
 * back after the file.
 */
export function useNock(options: { loopback?: boolean } = {}): void {
  beforeAll(() => {
    nock.disableNetConnect();
    if (options.loopback) nock.enableNetConnect('127.0.0.1');
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
}
