import { accessSync, constants, statSync } from 'node:fs';

/**
 * Where Chromium or Chrome usually is on Debian/Ubuntu, snap, macOS and Windows. The headless shell comes
 * first: the same Blink without the browser's user interface, it starts and prints in about half the time
 * (Playwright and Puppeteer use it for headless work too).
 */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH when set, else the first usual place that holds one; otherwise why there is none. */
export function findChromium(configured: string | undefined, candidates: readonly string[] = CHROMIUM_CANDIDATES): { path: string } | { problem: string } {
  if (configured) return isExecutable(configured) ? { path: configured } : { problem: `CHROMIUM_PATH ${configured} is not an executable file` };
  const found = candidates.find(isExecutable);
  const looked = `${candidates.slice(0, 4).join(', ')}${candidates.length > 4 ? ' and other usual places' : ''}`;
  return found ? { path: found } : { problem: `no Chromium or Chrome was found (looked in ${looked}); install chromium or set CHROMIUM_PATH` };
}
