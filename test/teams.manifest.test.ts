import { promises as fs } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';
import { COMMANDS } from '../src/app/commands.js';
import { buildTeamsManifest, packageTeamsApp, teamsManifestFolder } from '../manifest/package.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const env = { MICROSOFT_APP_ID: '0F6B2C1A-1234-4C5D-8E9F-A1B2C3D4E5F6', PUBLIC_BASE_URL: 'https://reports.example.com/' };

async function validator() {
  const schema = JSON.parse(await fs.readFile(path.join(teamsManifestFolder, 'schema', 'MicrosoftTeams.v1.23.trimmed.schema.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: true });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv.compile(schema);
}

/** Decodes our own PNGs (8-bit RGBA, filter 0) to check size and pixels. */
function decodePng(bytes: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4 + 1;
  return {
    width,
    height,
    pixel: (x, y) => {
      expect(raw[y * stride]).toBe(0);
      return [...raw.subarray(y * stride + 1 + x * 4, y * stride + 1 + x * 4 + 4)];
    },
  };
}

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((folder) => removeTempDir(folder)));
});

describe('Teams app manifest', () => {
  it('fills the app id and public URL and passes the vendored v1.23 schema', async () => {
    const manifest = await buildTeamsManifest(env);
    const validate = await validator();
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest).toMatchObject({
      manifestVersion: '1.23',
      id: '0f6b2c1a-1234-4c5d-8e9f-a1b2c3d4e5f6',
      developer: { websiteUrl: 'https://reports.example.com', privacyUrl: 'https://reports.example.com/privacy' },
      bots: [{ botId: '0f6b2c1a-1234-4c5d-8e9f-a1b2c3d4e5f6', scopes: ['personal', 'team', 'groupChat'] }],
      validDomains: ['reports.example.com'],
    });
  });

  it('offers every chat command in the command menu, with its usage', async () => {
    const manifest = (await buildTeamsManifest(env)) as { bots: Array<{ commandLists: Array<{ commands: Array<{ title: string; description: string }> }> }> };
    const commands = manifest.bots[0]!.commandLists[0]!.commands;
    expect(commands.map((command) => command.title).sort()).toEqual(COMMANDS.map((command) => command.name).sort());
    for (const command of commands) {
      const usage = COMMANDS.find((entry) => entry.name === command.title)!.usage;
      expect(command.description.startsWith(usage), `${command.title}: ${command.description}`).toBe(true);
    }
  });

  it('rejects what Teams would reject: a bad app id, too long a name, an unknown field', async () => {
    const validate = await validator();
    const manifest = await buildTeamsManifest(env);
    expect(validate({ ...manifest, id: 'not-a-guid' })).toBe(false);
    expect(validate({ ...manifest, name: { short: 'x'.repeat(31), full: 'x' } })).toBe(false);
    expect(validate({ ...manifest, bots: [{ botId: 'x', scopes: ['everyone'] }] })).toBe(false);
    expect(validate({ ...manifest, colour: '#ffffff' })).toBe(false);
    const { accentColor: _dropped, ...withoutAccent } = manifest;
    expect(validate(withoutAccent)).toBe(false);
    await expect(buildTeamsManifest({ ...env, MICROSOFT_APP_ID: 'abc' })).rejects.toThrow(/MICROSOFT_APP_ID is not valid/);
    await expect(buildTeamsManifest({ ...env, PUBLIC_BASE_URL: 'http://reports.example.com' })).rejects.toThrow(/https/);
  });

  it('packages manifest.json with a 192×192 colour icon and a 32×32 white-on-transparent outline icon', async () => {
    const folder = await makeTempDir('integoreport-manifest-');
    temporary.push(folder);
    const file = await packageTeamsApp(env, path.join(folder, 'app.zip'));
    const zip = await JSZip.loadAsync(await fs.readFile(file));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });

    const color = decodePng(await zip.file('color.png')!.async('nodebuffer'));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(color.pixel(0, 0)[3]).toBe(255);

    const outline = decodePng(await zip.file('outline.png')!.async('nodebuffer'));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let white = 0;
    for (let y = 0; y < 32; y += 1) {
      for (let x = 0; x < 32; x += 1) {
        const [r, g, b, a] = outline.pixel(x, y);
        if (a === 0) continue;
        expect([r, g, b]).toEqual([255, 255, 255]);
        white += 1;
      }
    }
    expect(white).toBeGreaterThan(50);
    expect(outline.pixel(0, 0)[3]).toBe(0);
  });
});
