/**
 * The email template as the build ships it: its partials written in place and its CSS already inlined, so that
 * rendering an email needs no CSS inliner. While juice runs, every Handlebars expression stands in as a plain
 * token (in the CSS, in attributes and in text alike); the tokens become the expressions again afterwards, so a
 * rule's colour taken from the brand lands in each element's `style` as the expression that writes it.
 *
 * This gives the email of render-then-inline as long as the CSS selects elements by static markup only: a class
 * or attribute written by an expression is invisible to juice here (test/report.email-inlined.test.ts holds it).
 */
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import { inlineCss } from './inline-css.js';
import type { TemplateSources } from './templates.js';

const EXPRESSION = /{{[\s\S]*?}}/g;
const STYLE_ELEMENT = /<style\b[^>]*>[\s\S]*?<\/style>/g;
const TOKEN = /hbsexpression(\d+)x/g;
const token = (index: number) => `hbsexpression${index}x`;

/**
 * The email template with its partials in place and its CSS inlined, to compile with `ignoreStandalone`: the
 * whitespace Handlebars strips around standalone tags is already stripped, as it would be in each file alone.
 */
export function emailTemplateWithInlinedCss(sources: TemplateSources): string {
  const template = withPartialsInPlace(sources.email, sources.partials);
  if (template.includes('{{{') || template.includes('hbsexpression')) throw new Error('The email template holds text the CSS inlining step cannot protect');
  const expressions: string[] = [];
  const tokenised = template
    .replace(STYLE_ELEMENT, (style) => style.replace(EXPRESSION, fromRoot))
    .replace(EXPRESSION, (expression) => token(expressions.push(expression) - 1));
  return inlineCss(tokenised).replace(TOKEN, (_token, index: string) => expressions[Number(index)]!);
}

/**
 * A value in the CSS (`{{brand.colors.accent}}`) as the expression to write into every element the rule applies
 * to, however deep in a block that element is: `{{@root.brand.colors.accent}}`.
 */
function fromRoot(expression: string): string {
  const path = /^{{\s*([\w.]+)\s*}}$/.exec(expression)?.[1];
  if (!path) throw new Error(`The email's CSS may hold values such as {{brand.colors.accent}} only, not ${expression}`);
  return `{{@root.${path}}}`;
}

/** `source` with each `{{> partial}}` replaced by the partial (itself so expanded), standalone whitespace stripped. */
function withPartialsInPlace(source: string, partials: Record<string, string>): string {
  const lineStarts = [0];
  for (const match of source.matchAll(/\n/g)) lineStarts.push(match.index + 1);
  const offset = (position: hbs.AST.Position) => lineStarts[position.line - 1]! + position.column;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const edit = (node: hbs.AST.Node, text: string) => edits.push({ start: offset(node.loc.start), end: offset(node.loc.end), text });

  const visit = (node: hbs.AST.Node | undefined): void => {
    if (!node) return;
    if (node.type === 'Program') (node as hbs.AST.Program).body.forEach(visit);
    else if (node.type === 'BlockStatement') {
      visit((node as hbs.AST.BlockStatement).program);
      visit((node as hbs.AST.BlockStatement).inverse);
    } else if (node.type === 'ContentStatement') edit(node, (node as hbs.AST.ContentStatement).value);
    else if (node.type === 'PartialStatement') {
      const partial = node as hbs.AST.PartialStatement;
      const name = (partial.name as hbs.AST.PathExpression).original;
      const partialSource = partials[name];
      if (partialSource === undefined || partial.params.length > 0 || partial.hash) throw new Error(`The email template's partial {{> ${name}}} cannot be written in place`);
      // A standalone call keeps its line's indentation before the partial (preventIndent indents nothing inside).
      edit(node, (partial.indent ?? '') + withPartialsInPlace(partialSource, partials));
    }
  };
  visit((createRequire(import.meta.url)('handlebars') as typeof Handlebars).parse(source));

  let result = '';
  let from = 0;
  for (const { start, end, text } of edits.sort((a, b) => a.start - b.start)) {
    result += source.slice(from, start) + text;
    from = end;
  }
  return result + source.slice(from);
}
