/** The command line started from the TypeScript sources through tsx, as it ran before it shipped compiled: the bench's comparison. */
import { main } from '../src/compose/cli.js';

await main(process.argv.slice(2));
