import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../store/files.js';
import { encodePng } from '../png.js';

const SIZE = 128;
/** Subsamples per pixel side, for smooth edges. */
const SAMPLES = 4;

type Point = readonly [number, number];

/** A compass rose: north longest, the other three points shorter, narrow waists between them. */
function compassRose(): Point[] {
  const center = SIZE / 2;
  const points: Point[] = [];
  for (let index = 0; index < 8; index += 1) {
    const angle = (index * Math.PI) / 4 - Math.PI / 2;
    const radius = index % 2 === 1 ? 10 : index === 0 ? 50 : 36;
    points.push([center + radius * Math.cos(angle), center + radius * Math.sin(angle)]);
  }
  return points;
}

function insidePolygon([x, y]: Point, polygon: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function insideRoundedSquare([x, y]: Point, radius: number): boolean {
  const nearestX = Math.min(Math.max(x, radius), SIZE - radius);
  const nearestY = Math.min(Math.max(y, radius), SIZE - radius);
  return (x - nearestX) ** 2 + (y - nearestY) ** 2 <= radius ** 2;
}

/**
 * The sample brand's logo as a 128×128 PNG: a white compass rose on a rounded square of `color`
 * (`#rrggbb`), drawn here so the sandbox needs no image file.
 */
export function drawSampleLogo(color: string): Buffer {
  const background = [1, 3, 5].map((offset) => parseInt(color.slice(offset, offset + 2), 16));
  const rose = compassRose();
  const pixels = new Uint8Array(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y += 1) {
    for (let x = 0; x < SIZE; x += 1) {
      let square = 0;
      let star = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const point: Point = [x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES];
          if (!insideRoundedSquare(point, 26)) continue;
          square += 1;
          if (insidePolygon(point, rose)) star += 1;
        }
      }
      const starShare = square === 0 ? 0 : star / square;
      const offset = (y * SIZE + x) * 4;
      for (let channel = 0; channel < 3; channel += 1) pixels[offset + channel] = Math.round(background[channel]! * (1 - starShare) + 255 * starShare);
      pixels[offset + 3] = Math.round((255 * square) / (SAMPLES * SAMPLES));
    }
  }
  return encodePng({ width: SIZE, height: SIZE, pixels });
}

/** Writes the sample logo under DATA_DIR/sandbox/ (once per colour) and answers its path. */
export async function writeSampleLogo(sandboxDir: string, color: string): Promise<string> {
  const file = path.join(sandboxDir, `brand-logo-${color.replace('#', '')}.png`);
  const exists = await fs.stat(file).then(() => true, () => false);
  if (!exists) await writeFileAtomic(file, drawSampleLogo(color));
  return file;
}
