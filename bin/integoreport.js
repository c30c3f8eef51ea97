#!/usr/bin/env node
// The compiled command line, bundled (built into dist/bundle/ by `npm ci`, through the `prepare` script). What a
// command is certain to need first (a printer) starts before the rest of the command line loads.
import { startEarly } from '../dist/bundle/cli-early.js';

const argv = process.argv.slice(2);
const early = startEarly(argv);
const { main } = await import('../dist/bundle/cli.js');
await main(argv, early);
