import { startTeamsStack } from './test/support/teams-stack.js';
const stack = await startTeamsStack();
console.log('URL', stack.http.url);
const list = await stack.runtime.services.listClients();
console.log(list.slice(0, 5));
setTimeout(async () => { await stack.close(); process.exit(0); }, 120000);
