#!/usr/bin/env node
// The compiled command line, bundled (built into dist/bundle/ by `npm ci`, through the `prepare` script).
import { main } from '../dist/bundle/cli.js';

await main(process.argv.slice(2));
