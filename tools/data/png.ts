/**
 * Minimal PNG encoder/decoder (8-bit, non-interlaced; gray, RGB, RGBA) on node:zlib.
 *
 * Written here rather than pulling a dependency: the generator only writes its own frames and
 * masks, and the tests only read those back. Source photos (JPEG, palette or 16-bit PNG) are
 * decoded by ffmpeg instead (see ffmpeg.ts). Encoding picks a filter per row by the usual
 * minimum-sum-of-absolute-differences heuristic; output bytes depend only on the pixels and
 * the zlib build, so they are reproducible.
 */
import { deflateSync, inflateSync } from 'node:zlib';

export interface RawImage {
  width: number;
  height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA) */
  channels: 1 | 3 | 4;
  data: Uint8Array; // [H, W, C]
}

const SIG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(body.buffer, body.byteOffset, body.byteLength).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

export function encodePng(img: RawImage): Buffer {
  const { width: w, height: h, channels: C, data } = img;
  const colorType = C === 1 ? 0 : C === 3 ? 2 : 6;
  const stride = w * C;
  const raw = new Uint8Array(h * (stride + 1));
  const cand = new Uint8Array(stride);
  for (let y = 0; y < h; y++) {
    const row = y * stride;
    const prev = row - stride;
    let bestF = 0;
    let bestSum = Infinity;
    let best: Uint8Array | null = null;
    for (let f = 0; f < 5; f++) {
      let sum = 0;
      for (let i = 0; i < stride; i++) {
        const x = data[row + i];
        const a = i >= C ? data[row + i - C] : 0;
        const b = y > 0 ? data[prev + i] : 0;
        const c = y > 0 && i >= C ? data[prev + i - C] : 0;
        let v: number;
        if (f === 0) v = x;
        else if (f === 1) v = x - a;
        else if (f === 2) v = x - b;
        else if (f === 3) v = x - ((a + b) >> 1);
        else v = x - paeth(a, b, c);
        v &= 0xff;
        cand[i] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < bestSum) {
        bestSum = sum;
        bestF = f;
        best = cand.slice();
      }
    }
    const o = y * (stride + 1);
    raw[o] = bestF;
    raw.set(best as Uint8Array, o + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const idat = deflateSync(raw, { level: 4 });
  return Buffer.concat([SIG, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

export function decodePng(buf: Uint8Array): RawImage {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!b.subarray(0, 8).equals(SIG)) throw new Error('decodePng: not a PNG');
  let off = 8;
  let w = 0, h = 0, C: 1 | 3 | 4 = 3;
  const idats: Buffer[] = [];
  while (off < b.length) {
    const len = b.readUInt32BE(off);
    const type = b.toString('ascii', off + 4, off + 8);
    const body = b.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      w = body.readUInt32BE(0);
      h = body.readUInt32BE(4);
      const depth = body[8], ct = body[9], interlace = body[12];
      if (depth !== 8 || interlace !== 0 || ![0, 2, 6].includes(ct))
        throw new Error(`decodePng: only 8-bit non-interlaced gray/RGB/RGBA is supported (depth ${depth}, type ${ct})`);
      C = ct === 0 ? 1 : ct === 2 ? 3 : 4;
    } else if (type === 'IDAT') idats.push(body);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idats));
  const stride = w * C;
  const out = new Uint8Array(h * stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const x = raw[src + i];
      const a = i >= C ? out[row + i - C] : 0;
      const bb = y > 0 ? out[row - stride + i] : 0;
      const c = y > 0 && i >= C ? out[row - stride + i - C] : 0;
      let v: number;
      if (f === 0) v = x;
      else if (f === 1) v = x + a;
      else if (f === 2) v = x + bb;
      else if (f === 3) v = x + ((a + bb) >> 1);
      else if (f === 4) v = x + paeth(a, bb, c);
      else throw new Error(`decodePng: bad filter ${f}`);
      out[row + i] = v & 0xff;
    }
  }
  return { width: w, height: h, channels: C, data: out };
}
