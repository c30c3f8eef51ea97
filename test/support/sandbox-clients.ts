import { createClientUseCases, type ClientUseCases } from '../../src/app/clients.js';
import type { Approver } from '../../src/approvers.js';
import { openDirectoryStore, type DirectoryStore } from '../../src/clients/directory-store.js';
import { freshserviceDirectorySource } from '../../src/clients/sync.js';
import type { Clock } from '../../src/clock.js';
import { createFreshservice } from '../../src/freshservice/index.js';
import { silentLogger } from '../../src/logger.js';
import { createMailchimpHttp, type MailchimpHttp } from '../../src/mailchimp/http.js';
import { createMailchimpMembers } from '../../src/mailchimp/members.js';
import { startSandbox, type Sandbox, type SandboxAccountMode } from '../../src/sandbox/index.js';

export interface SandboxClients {
  sandbox: Sandbox;
  store: DirectoryStore;
  http: MailchimpHttp;
  clients: ClientUseCases;
}

/**
 * A started sandbox and the client-directory use-cases wired to it as the runtime wires them.
 * `failFast`: one try per Freshservice request and one retry per Mailchimp request, for failure tests.
 */
export async function clientsOnSandbox(options: {
  dataDir: string;
  clock: Clock;
  approvers: Approver[];
  freshserviceMode?: SandboxAccountMode;
  failFast?: boolean;
}): Promise<SandboxClients> {
  const { dataDir, clock } = options;
  const sandbox = await startSandbox({ dataDir, clock, freshserviceMode: options.freshserviceMode });
  const retry = options.failFast ? { attempts: 1 } : undefined;
  const freshservice = createFreshservice({ baseUrl: sandbox.freshservice.baseUrl, apiKey: sandbox.freshservice.apiKey, dataDir, clock, logger: silentLogger, retry });
  const http = createMailchimpHttp({ baseUrl: sandbox.mailchimp.baseUrl, apiKey: sandbox.mailchimp.apiKey, logger: silentLogger, retryBaseMs: 1, maxRetries: options.failFast ? 1 : undefined });
  const store = openDirectoryStore(dataDir);
  const clients = createClientUseCases({
    store,
    mailchimp: createMailchimpMembers(http, sandbox.mailchimp.audienceId),
    freshserviceSource: freshserviceDirectorySource(freshservice.directory),
    clock,
    config: { statusIfNew: 'subscribed' },
    approvers: options.approvers,
    logger: silentLogger,
    requestCounts: () => ({ freshservice: freshservice.client.stats().calls, mailchimp: http.stats().requests }),
  });
  return { sandbox, store, http, clients };
}
