/**
 * A small PNG codec for 8-bit, non-interlaced images (gray, gray+alpha, RGB, RGBA, palette).
 *
 * Why hand-written: the geometry accuracy test decodes the same photo files in Node (vitest)
 * and in Chromium and must get the same bytes in both, so the results match bit for bit. A
 * browser's image decoder may colour-manage; this one does not. Inflate/deflate come from the
 * platform (`DecompressionStream` / `CompressionStream`, present in Node >= 18 and browsers).
 */

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major luminance, one byte per pixel. [H, W] */
  data: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

async function pump(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  // lib.dom types the streams' writable side as BufferSource; a Uint8Array stream fits it.
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream as unknown as TransformStream<Uint8Array, Uint8Array>));
  return new Uint8Array(await out.arrayBuffer());
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Decodes a PNG and returns its luminance (ITU-R BT.601 weights, rounded). */
export async function decodePngGray(file: Uint8Array): Promise<GrayImage> {
  const rgba = await decodePngRgba(file);
  const n = rgba.width * rgba.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rgba.data[4 * i], g = rgba.data[4 * i + 1], b = rgba.data[4 * i + 2];
    data[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return { width: rgba.width, height: rgba.height, data };
}

/** Decodes a PNG into RGBA bytes (like ImageData). */
export async function decodePngRgba(file: Uint8Array): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  for (let i = 0; i < 8; i++) if (file[i] !== SIGNATURE[i]) throw new Error('not a PNG file (bad signature)');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let pos = 8;
  let width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0;
  let palette: Uint8Array | null = null;
  let alphaTable: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos < file.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(file[pos + 4], file[pos + 5], file[pos + 6], file[pos + 7]);
    const body = file.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      bitDepth = body[8];
      colorType = body[9];
      interlace = body[12];
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') alphaTable = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (bitDepth !== 8) throw new Error(`PNG bit depth ${bitDepth} not supported (8 only)`);
  if (interlace !== 0) throw new Error('interlaced PNG not supported');
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`PNG colour type ${colorType} not supported`);
  if (colorType === 3 && !palette) throw new Error('palette PNG without PLTE');
  let total = 0;
  for (const c of idat) total += c.length;
  const z = new Uint8Array(total);
  let o = 0;
  for (const c of idat) { z.set(c, o); o += c.length; }
  const raw = await pump(z, new DecompressionStream('deflate'));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG data truncated');
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[row + x - channels] : 0;
      const b = y > 0 ? px[row - stride + x] : 0;
      const c = x >= channels && y > 0 ? px[row - stride + x - channels] : 0;
      let v = src[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) v += paeth(a, b, c);
      else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      px[row + x] = v & 255;
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    let r: number, g: number, b: number, al = 255;
    if (colorType === 0) { r = g = b = px[i]; }
    else if (colorType === 4) { r = g = b = px[2 * i]; al = px[2 * i + 1]; }
    else if (colorType === 2) { r = px[3 * i]; g = px[3 * i + 1]; b = px[3 * i + 2]; }
    else if (colorType === 6) { r = px[4 * i]; g = px[4 * i + 1]; b = px[4 * i + 2]; al = px[4 * i + 3]; }
    else {
      const k = px[i];
      r = palette![3 * k]; g = palette![3 * k + 1]; b = palette![3 * k + 2];
      al = alphaTable && k < alphaTable.length ? alphaTable[k] : 255;
    }
    out[4 * i] = r; out[4 * i + 1] = g; out[4 * i + 2] = b; out[4 * i + 3] = al;
  }
  return { width, height, data: out };
}

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Encodes an 8-bit gray image as PNG (per-row filter chosen by least absolute sum). */
export async function encodePngGray(img: GrayImage): Promise<Uint8Array> {
  const { width: w, height: h, data } = img;
  const raw = new Uint8Array(h * (w + 1));
  const cand = new Uint8Array(w);
  for (let y = 0; y < h; y++) {
    let best = -1, bestCost = Infinity;
    for (let f = 0; f <= 4; f++) {
      let cost = 0;
      for (let x = 0; x < w; x++) {
        const a = x > 0 ? data[y * w + x - 1] : 0;
        const b = y > 0 ? data[(y - 1) * w + x] : 0;
        const c = x > 0 && y > 0 ? data[(y - 1) * w + x - 1] : 0;
        const p = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (data[y * w + x] - p) & 255;
        cand[x] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) {
        bestCost = cost; best = f;
        raw[y * (w + 1)] = f;
        raw.set(cand, y * (w + 1) + 1);
      }
    }
    void best;
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, w); v.setUint32(4, h);
  ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const z = await pump(raw, new CompressionStream('deflate'));
  const parts = [new Uint8Array(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', z), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
