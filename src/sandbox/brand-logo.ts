import { promises as fs } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { writeFileAtomic } from '../store/files.js';

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

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * The sample brand's logo as a 128×128 PNG: a white compass rose on a rounded square of `color`
 * (`#rrggbb`), drawn here so the sandbox needs no image file.
 */
export function drawSampleLogo(color: string): Buffer {
  const background = [1, 3, 5].map((offset) => parseInt(color.slice(offset, offset + 2), 16));
  const rose = compassRose();
  const rows: Buffer[] = [];
  for (let y = 0; y < SIZE; y += 1) {
    const row = Buffer.alloc(1 + SIZE * 4);
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
      const offset = 1 + x * 4;
      for (let channel = 0; channel < 3; channel += 1) row[offset + channel] = Math.round(background[channel]! * (1 - starShare) + 255 * starShare);
      row[offset + 3] = Math.round((255 * square) / (SAMPLES * SAMPLES));
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Writes the sample logo under DATA_DIR/sandbox/ (once per colour) and answers its path. */
export async function writeSampleLogo(sandboxDir: string, color: string): Promise<string> {
  const file = path.join(sandboxDir, `brand-logo-${color.replace('#', '')}.png`);
  const exists = await fs.stat(file).then(() => true, () => false);
  if (!exists) await writeFileAtomic(file, drawSampleLogo(color));
  return file;
}
