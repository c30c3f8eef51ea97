import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { readEnvironment } from '../src/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const teamsManifestFolder = path.join(here, 'teams');
export const teamsPackageFile = path.join(here, 'build', 'integoreport-teams.zip');

const GUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** The values the manifest template needs, checked with a clear message each. */
export function manifestSettings(env: Record<string, string | undefined>): { appId: string; baseUrl: string; host: string } {
  const appId = env.MICROSOFT_APP_ID?.trim();
  if (!appId || !GUID.test(appId)) {
    throw new ManifestError(`MICROSOFT_APP_ID ${appId ? 'is not valid' : 'is missing'}: expected the bot's Microsoft app (client) id, a GUID from the Azure Bot resource`);
  }
  const baseText = env.PUBLIC_BASE_URL?.trim();
  let base: URL;
  try {
    base = new URL(baseText ?? '');
  } catch {
    throw new ManifestError(`PUBLIC_BASE_URL ${baseText ? 'is not valid' : 'is missing'}: expected the public https URL of this bot, like https://reports.example.com`);
  }
  if (base.protocol !== 'https:') throw new ManifestError('PUBLIC_BASE_URL must start with https:// because Teams only calls bots over HTTPS');
  return { appId: appId.toLowerCase(), baseUrl: base.origin + base.pathname.replace(/\/+$/, ''), host: base.host };
}

/** manifest.json with the placeholders filled in. */
export async function buildTeamsManifest(env: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const settings = manifestSettings(env);
  const template = await fs.readFile(path.join(teamsManifestFolder, 'manifest.json'), 'utf8');
  const values: Record<string, string> = {
    MICROSOFT_APP_ID: settings.appId,
    PUBLIC_BASE_URL: settings.baseUrl,
    PUBLIC_HOST: settings.host,
  };
  const filled = template.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ManifestError(`manifest.json uses an unknown placeholder ${placeholder}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(filled) as Record<string, unknown>;
}

/** Writes the uploadable Teams app package (manifest.json + both icons) and returns its path. */
export async function packageTeamsApp(env: Record<string, string | undefined>, outFile = teamsPackageFile): Promise<string> {
  const manifest = await buildTeamsManifest(env);
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 2));
  for (const icon of ['color.png', 'outline.png']) {
    zip.file(icon, await fs.readFile(path.join(teamsManifestFolder, icon)));
  }
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  await fs.writeFile(outFile, bytes);
  return outFile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const env = readEnvironment();
    const file = await packageTeamsApp(env);
    const { baseUrl } = manifestSettings(env);
    console.log(`Wrote ${path.relative(process.cwd(), file)}`);
    console.log(`Set the messaging endpoint of your Azure Bot to ${baseUrl}/api/messages, then upload the zip in Teams (Apps → Manage your apps → Upload an app).`);
  } catch (error) {
    console.error(error instanceof ManifestError ? error.message : error);
    process.exitCode = 1;
  }
}
