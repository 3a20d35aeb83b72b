// Draws the toolbar icon (a ring with an opening, like a path going forward) as PNGs at build time, so the
// repository holds no binary images. A minimal PNG encoder: RGBA, zlib-compressed scanlines, CRC32 chunks.

import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Teal rounded square with a white open ring; 4×4 supersampling for smooth edges. */
export function iconPng(size) {
  const teal = [11, 114, 133];
  const inside = (u, v) => {
    // u, v in [0, 1)
    const r = 0.22;
    const cx = Math.min(Math.max(u, r), 1 - r);
    const cy = Math.min(Math.max(v, r), 1 - r);
    if ((u - cx) ** 2 + (v - cy) ** 2 > r * r) return 'out';
    const dx = u - 0.5;
    const dy = v - 0.5;
    const d = Math.hypot(dx, dy);
    const angle = Math.atan2(dy, dx);
    const ring = d > 0.2 && d < 0.32 && !(angle > -0.6 && angle < 0.6);
    const dot = Math.hypot(u - 0.73, v - 0.5) < 0.07;
    return ring || dot ? 'white' : 'teal';
  };
  return encodePng(size, (x, y) => {
    let white = 0;
    let covered = 0;
    for (let sy = 0; sy < 4; sy++) {
      for (let sx = 0; sx < 4; sx++) {
        const where = inside((x + (sx + 0.5) / 4) / size, (y + (sy + 0.5) / 4) / size);
        if (where !== 'out') covered++;
        if (where === 'white') white++;
      }
    }
    if (!covered) return [0, 0, 0, 0];
    const w = white / covered;
    const mix = (c) => Math.round(c * (1 - w) + 255 * w);
    return [mix(teal[0]), mix(teal[1]), mix(teal[2]), Math.round((covered / 16) * 255)];
  });
}
