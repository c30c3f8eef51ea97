import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { systemClock } from '../../src/clock.js';
import { createRuntime, type Runtime } from '../../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../../src/compose/sandbox.js';
import { createRoutes, listen, type HttpServer } from '../../src/server/http.js';
import { mountReportLinks } from '../../src/server/report-links.js';
import { mountPlayground, type PlaygroundMount } from '../../src/server/playground/index.js';
import { ConversationStore } from '../../src/store/conversations.js';
import { mountTeams, type TeamsMount } from '../../src/chat/teams/mount.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export interface TeamsStack {
  dataDir: string;
  http: HttpServer;
  runtime: Runtime;
  teams: TeamsMount;
  playground: PlaygroundMount;
  conversations: ConversationStore;
  close(): Promise<void>;
}

/** The real runtime in sandbox mode with Teams and the playground on one local server, as `npm start` wires them. */
export async function startTeamsStack(env: Record<string, string> = {}): Promise<TeamsStack> {
  const dataDir = await makeTempDir('integoreport-teams-stack-');
  const routes = createRoutes();
  const http = await listen(routes, 0, '127.0.0.1');
  const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_BASE_URL: http.url, APPROVERS: 'you@sandbox-msp.example', ...env });
  const runtime = await createRuntime({ config, logger: silentLogger, clock: systemClock, sandbox: await startEmbeddedSandbox(config) });
  await runtime.clients.syncClients();
  mountReportLinks(routes, { config: runtime.config, clock: systemClock, logger: silentLogger, loadWebHtml: runtime.loadWebHtml });
  const conversations = new ConversationStore(dataDir, systemClock);
  const playground = mountPlayground(routes, { config: runtime.config, logger: silentLogger, outbox: () => runtime.sandbox!.mailchimp.outbox() });
  const teams = await mountTeams(routes, { services: runtime.services, config: runtime.config, logger: silentLogger, clock: systemClock, conversations, localConnectorPath: playground.connectorPath });
  return {
    dataDir,
    http,
    runtime,
    teams,
    playground,
    conversations,
    async close() {
      await teams.close();
      await http.close();
      await runtime.close();
      await removeTempDir(dataDir);
    },
  };
}
