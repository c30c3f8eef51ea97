/**
 * The report's Handlebars templates (templates/ and templates/partials/), compiled once per process. The build
 * precompiles them into `templates.compiled.cjs` beside the compiled module (`precompile-templates.ts`); a
 * process finding that file, made from templates identical to those on disk, loads only Handlebars' runtime and
 * compiles nothing, and renders the email from a template whose CSS the build already inlined. Otherwise (started
 * from the sources, or templates edited since the build) they compile here and each email is inlined once rendered.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type Handlebars from 'handlebars';
import { packagePath } from '../package-files.js';
import { emailTemplateWithInlinedCss } from './email-template.js';

export const TEMPLATE_DIR = pathToFileURL(`${packagePath('templates')}/`);

export const COMPILE_OPTIONS: CompileOptions = { strict: true, preventIndent: true };

/** The email with its CSS inlined comes with standalone whitespace already stripped (email-template.ts). */
const INLINED_EMAIL_COMPILE_OPTIONS: CompileOptions = { ...COMPILE_OPTIONS, ignoreStandalone: true };

export const PRECOMPILED_FILE = 'templates.compiled.cjs';

export interface TemplateSources {
  email: string;
  web: string;
  partials: Record<string, string>;
}

export interface ReportTemplates {
  email: Handlebars.TemplateDelegate;
  /** Whether `email` has its CSS inlined already (the build's, while its templates match those on disk). */
  emailCssInlined: boolean;
  web: Handlebars.TemplateDelegate;
}

/**
 * What the build writes: each template as Handlebars' precompiled specification (the email's with its CSS inlined
 * and its partials in place), and the digest of the sources they came from.
 */
export interface PrecompiledTemplates {
  digest: string;
  email: TemplateSpecification;
  web: TemplateSpecification;
  partials: Record<string, TemplateSpecification>;
}

export function readTemplateSources(): TemplateSources {
  const partialDir = new URL('partials/', TEMPLATE_DIR);
  const partials: Record<string, string> = {};
  for (const file of readdirSync(partialDir).sort()) {
    if (file.endsWith('.hbs')) partials[file.slice(0, -'.hbs'.length)] = readFileSync(new URL(file, partialDir), 'utf8');
  }
  const read = (name: string) => readFileSync(new URL(name, TEMPLATE_DIR), 'utf8');
  return { email: read('email.hbs'), web: read('web.hbs'), partials };
}

export function sourcesDigest(sources: TemplateSources): string {
  return createHash('sha256').update(JSON.stringify(sources)).digest('hex');
}

const load = createRequire(import.meta.url);

/** The build's precompiled templates beside this module, if there are any. */
function precompiledTemplates(): PrecompiledTemplates | undefined {
  try {
    return load(`./${PRECOMPILED_FILE}`) as PrecompiledTemplates;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** Handlebars' own escaping, as the templates apply it to every `{{value}}`. */
export function escapeExpression(text: string): string {
  return (load('handlebars/runtime') as typeof Handlebars).escapeExpression(text);
}

/** The templates ready to render: the build's when they match `sources`, else compiled from them. */
export function loadReportTemplates(sources: TemplateSources = readTemplateSources(), precompiled = precompiledTemplates()): ReportTemplates {
  if (precompiled?.digest === sourcesDigest(sources)) {
    const runtime = (load('handlebars/runtime') as typeof Handlebars).create();
    for (const [name, spec] of Object.entries(precompiled.partials)) runtime.registerPartial(name, runtime.template(spec));
    return { email: runtime.template(precompiled.email), emailCssInlined: true, web: runtime.template(precompiled.web) };
  }
  const handlebars = (load('handlebars') as typeof Handlebars).create();
  for (const [name, source] of Object.entries(sources.partials)) handlebars.registerPartial(name, source);
  return { email: handlebars.compile(sources.email, COMPILE_OPTIONS), emailCssInlined: false, web: handlebars.compile(sources.web, COMPILE_OPTIONS) };
}

/** The text of `templates.compiled.cjs` for `sources`: a CommonJS module, so that it loads synchronously. */
export function precompiledModule(sources: TemplateSources): string {
  const handlebars = load('handlebars') as typeof Handlebars;
  const spec = (source: string, options = COMPILE_OPTIONS) => handlebars.precompile(source, options) as string;
  const partials = Object.entries(sources.partials).map(([name, source]) => `    ${JSON.stringify(name)}: ${spec(source)},`);
  return [
    '// Made by the build from templates/ (src/report/precompile-templates.ts); do not edit.',
    "'use strict';",
    'module.exports = {',
    `  digest: ${JSON.stringify(sourcesDigest(sources))},`,
    `  email: ${spec(emailTemplateWithInlinedCss(sources), INLINED_EMAIL_COMPILE_OPTIONS)},`,
    `  web: ${spec(sources.web)},`,
    '  partials: {',
    ...partials,
    '  },',
    '};',
    '',
  ].join('\n');
}
