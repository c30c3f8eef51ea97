#!/usr/bin/env node
// Loads the TypeScript CLI through tsx in this same process, so `npx integoreport <command>` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/compose/cli.ts');
await main(process.argv.slice(2));
