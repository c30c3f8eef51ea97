/** Run by `npm run build` after tsc: precompiles the report's templates into dist (see templates.ts). */
import { writeFileSync } from 'node:fs';
import { PRECOMPILED_FILE, precompiledModule, readTemplateSources } from './templates.js';

writeFileSync(new URL(PRECOMPILED_FILE, import.meta.url), precompiledModule(readTemplateSources()));
