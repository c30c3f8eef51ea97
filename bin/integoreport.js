#!/usr/bin/env node
// The compiled command line (built into dist/ by `npm ci`, through the `prepare` script).
import { main } from '../dist/compose/cli.js';

await main(process.argv.slice(2));
