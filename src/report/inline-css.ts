/**
 * The email's CSS inliner (juice): run by the build over the email template (email-template.ts), and at run time
 * over a rendered email only when the build's template is not there or no longer matches the sources.
 */
import { createRequire } from 'node:module';
import type Juice from 'juice';

const OPTIONS: Juice.Options = {
  removeStyleTags: true,
  preserveMediaQueries: true,
  preserveImportant: true,
  applyWidthAttributes: false,
  applyHeightAttributes: false,
};

/** Loaded on first use: a tenth of a second of loading that the web page, the PDF and a built email do without. */
let inliner: typeof Juice | undefined;

function loadInliner(): typeof Juice {
  if (inliner) return inliner;
  // juice's client build: the same inliner without the remote-resource fetcher the main entry loads too.
  const loaded = createRequire(import.meta.url)('juice/client') as typeof Juice;
  // juice skips whatever lies between `{{` and `}}` (template code, it assumes); in a rendered email such text
  // comes from outside (a `{{` in one subject, a `}}` in another) and must not hide the markup between from it.
  for (const language of Object.keys(loaded.codeBlocks)) delete loaded.codeBlocks[language];
  inliner = loaded;
  return inliner;
}

/** `html` with the rules of its `<style>` blocks written into each element's `style` attribute; `<style data-embed>` stays. */
export function inlineCss(html: string): string {
  return loadInliner()(html, OPTIONS);
}
