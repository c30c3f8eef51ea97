import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng, type Raster } from '../../src/png.js';

type Rgba = [number, number, number, number];

const ACCENT: Rgba = [0x1f, 0x5f, 0xd1, 0xff];
const WHITE: Rgba = [0xff, 0xff, 0xff, 0xff];

/** Three rising bars on a baseline, in unit coordinates (0..1) of the icon. */
const BARS = [
  { x: 0.22, width: 0.14, top: 0.52 },
  { x: 0.43, width: 0.14, top: 0.36 },
  { x: 0.64, width: 0.14, top: 0.2 },
];
const BASELINE = { x: 0.16, width: 0.68, top: 0.78, height: 0.06 };

function fill(raster: Raster, colour: Rgba, x0: number, y0: number, x1: number, y1: number): void {
  for (let y = Math.max(0, Math.round(y0)); y < Math.min(raster.height, Math.round(y1)); y += 1) {
    for (let x = Math.max(0, Math.round(x0)); x < Math.min(raster.width, Math.round(x1)); x += 1) {
      raster.pixels.set(colour, (y * raster.width + x) * 4);
    }
  }
}

function drawChart(raster: Raster, colour: Rgba): void {
  const size = raster.width;
  for (const bar of BARS) fill(raster, colour, bar.x * size, bar.top * size, (bar.x + bar.width) * size, BASELINE.top * size);
  fill(raster, colour, BASELINE.x * size, BASELINE.top * size, (BASELINE.x + BASELINE.width) * size, (BASELINE.top + BASELINE.height) * size);
}

/** The full-colour 192×192 icon: white chart on the accent colour. */
export function colorIcon(): Buffer {
  const raster: Raster = { width: 192, height: 192, pixels: new Uint8Array(192 * 192 * 4) };
  fill(raster, ACCENT, 0, 0, 192, 192);
  drawChart(raster, WHITE);
  return encodePng(raster);
}

/** The 32×32 outline icon: white chart on a transparent background, as Teams requires. */
export function outlineIcon(): Buffer {
  const raster: Raster = { width: 32, height: 32, pixels: new Uint8Array(32 * 32 * 4) };
  drawChart(raster, WHITE);
  return encodePng(raster);
}

/** Writes color.png and outline.png beside this file (`tsx manifest/teams/icons.ts`). */
async function writeIcons(): Promise<void> {
  const folder = path.dirname(fileURLToPath(import.meta.url));
  await fs.writeFile(path.join(folder, 'color.png'), colorIcon());
  await fs.writeFile(path.join(folder, 'outline.png'), outlineIcon());
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeIcons();
}
