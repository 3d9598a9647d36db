/**
 * Media parsing helpers: what a dropped file is, before any decoder sees it.
 *
 * sniff(): magic bytes -> mp4/mov (ISO BMFF 'ftyp' or a leading moov/mdat/wide/free box),
 * Matroska/WebM (EBML 1A 45 DF A3), or a recognisable non-video (PNG, JPEG, GIF, WebP, PDF, text,
 * audio-only containers such as WAV/MP3/OGG/FLAC).
 *
 * probe(): walks the container's track headers (ISO BMFF: moov/trak/tkhd+mdia/hdlr+mdhd+stsd;
 * Matroska: EBML header, Segment/Info, Segment/Tracks) and reports tracks, codecs, duration,
 * display rotation; throws named errors for empty, truncated and corrupt files. It reads only the
 * byte ranges it needs through `ByteSource`, so a multi-gigabyte file costs a few kilobytes.
 */
import { CorruptMediaError, EmptyFileError, NotAVideoError, TruncatedMediaError } from '../errors';

export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (o, l) => bytes.subarray(o, Math.min(bytes.length, o + l)) };
}

export type ContainerKind = 'mp4' | 'mov' | 'webm' | 'matroska';

export interface TrackInfo {
  kind: 'video' | 'audio' | 'other';
  /** Fourcc (ISO BMFF sample entry) or Matroska CodecID. */
  codec: string;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
  /** Clockwise display rotation from the track matrix (0, 90, 180, 270). */
  rotation?: number;
}

export interface MediaInfo {
  container: ContainerKind;
  durationSec: number | null;
  tracks: TrackInfo[];
  video: TrackInfo | null;
  audio: TrackInfo | null;
}

const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** Identifies a file by its first bytes. Returns a container kind or throws NotAVideoError. */
export function sniff(head: Uint8Array, fileName: string, size: number): ContainerKind {
  if (size === 0) throw new EmptyFileError(fileName);
  const b = head;
  if (b.length >= 8) {
    const t = ascii(b, 4, 4);
    if (t === 'ftyp') {
      const brand = ascii(b, 8, 4);
      if (brand === 'qt  ') return 'mov';
      if (/^(M4A |M4B |mp4a|F4A )/.test(brand)) throw new NotAVideoError(fileName, 'an audio-only MPEG-4 file (.m4a)');
      if (/^(heic|heix|mif1|msf1|avif)/.test(brand)) throw new NotAVideoError(fileName, 'an image (HEIF/AVIF)');
      return 'mp4';
    }
    if (['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(t)) return 'mov';
  }
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    return ascii(b, 0, Math.min(64, b.length)).includes('webm') ? 'webm' : 'matroska';
  }
  const looks = nonVideo(b);
  throw new NotAVideoError(fileName, looks);
}

function nonVideo(b: Uint8Array): string {
  const s4 = ascii(b, 0, 4);
  if (b[0] === 0x89 && s4.slice(1) === 'PNG') return 'a PNG image';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'a JPEG image';
  if (s4 === 'GIF8') return 'a GIF image';
  if (s4 === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'a WebP image';
  if (s4 === 'RIFF' && ascii(b, 8, 4) === 'WAVE') return 'a WAV audio file';
  if (s4 === 'RIFF' && ascii(b, 8, 4) === 'AVI ') return 'an AVI video, a container browsers cannot play';
  if (s4 === '%PDF') return 'a PDF document';
  if (s4 === 'OggS') return 'an Ogg audio file';
  if (s4 === 'fLaC') return 'a FLAC audio file';
  if (s4.startsWith('ID3') || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0)) return 'an MP3 audio file';
  if (s4 === 'PK\u0003\u0004') return 'a ZIP archive';
  if (b.length > 0 && isText(b)) return 'a text file';
  return 'an unknown binary file';
}

function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc2) printable++;
    else if (c === 0) return false;
  }
  return printable / n > 0.95;
}

// ---------------------------------------------------------------- ISO BMFF (mp4 / mov)

interface Box { type: string; start: number; header: number; size: number }

function readBoxes(b: Uint8Array, start: number, end: number, fileName: string, outerEnd: number, fileSize: number): Box[] {
  const boxes: Box[] = [];
  let o = start;
  while (o + 8 <= end) {
    const dv = new DataView(b.buffer, b.byteOffset + o);
    let size = dv.getUint32(0);
    const type = ascii(b, o + 4, 4);
    let header = 8;
    if (size === 1) {
      if (o + 16 > end) break;
      size = Number(dv.getBigUint64(8));
      header = 16;
    } else if (size === 0) size = end - o;
    if (size < header) throw new CorruptMediaError(fileName, `box '${type}' at byte ${o} has an impossible size ${size}`);
    if (o + size > end) {
      if (end === outerEnd && o + size > fileSize) throw new TruncatedMediaError(fileName, `box '${type}' needs ${o + size} bytes but the file has ${fileSize}`);
      throw new CorruptMediaError(fileName, `box '${type}' overruns its parent`);
    }
    boxes.push({ type, start: o, header, size });
    o += size;
  }
  return boxes;
}

async function probeBmff(src: ByteSource, fileName: string, container: ContainerKind): Promise<MediaInfo> {
  // Top level: read headers only, then the whole moov.
  let o = 0;
  let moov: { offset: number; size: number } | null = null;
  const seen: string[] = [];
  while (o + 8 <= src.size) {
    const h = await src.read(o, 16);
    const dv = new DataView(h.buffer, h.byteOffset, h.length);
    let size = dv.getUint32(0);
    const type = ascii(h, 4, 4);
    if (!/^[\x20-\x7e]{4}$/.test(type)) throw new CorruptMediaError(fileName, `unreadable data at byte ${o} (not an MP4 box)`);
    if (size === 1) size = Number(dv.getBigUint64(8));
    else if (size === 0) size = src.size - o;
    if (size < 8) throw new CorruptMediaError(fileName, `box '${type}' at byte ${o} has an impossible size ${size}`);
    seen.push(type);
    if (o + size > src.size) {
      if (type === 'moov' || !moov) throw new TruncatedMediaError(fileName, `box '${type}' needs ${o + size} bytes but the file has ${src.size}${moov ? '' : ' and no track index (moov) was found'}`);
      // Cut-off media data after a complete index: the index promises samples that are missing.
      throw new TruncatedMediaError(fileName, `the media data ends at byte ${src.size} of ${o + size}`);
    }
    if (type === 'moov') moov = { offset: o, size };
    o += size;
  }
  if (!moov) {
    if (seen.includes('mdat')) throw new TruncatedMediaError(fileName, 'it has media data but no track index (moov box); the end of the file is missing');
    throw new CorruptMediaError(fileName, 'no track index (moov box)');
  }
  const b = await src.read(moov.offset, moov.size);
  const kids = readBoxes(b, 8, b.length, fileName, b.length, b.length);
  const tracks: TrackInfo[] = [];
  let durationSec: number | null = null;
  for (const box of kids) {
    if (box.type === 'mvhd') {
      const dv = new DataView(b.buffer, b.byteOffset + box.start + box.header);
      const v = dv.getUint8(0);
      const timescale = dv.getUint32(v === 1 ? 20 : 12);
      const dur = v === 1 ? Number(dv.getBigUint64(24)) : dv.getUint32(16);
      if (timescale > 0) durationSec = dur / timescale;
    }
    if (box.type === 'trak') tracks.push(parseTrak(b, box, fileName));
  }
  return finish(container, durationSec, tracks, fileName);
}

function child(b: Uint8Array, parent: Box, type: string, fileName: string): Box | undefined {
  return readBoxes(b, parent.start + parent.header, parent.start + parent.size, fileName, -1, Infinity).find((x) => x.type === type);
}

function parseTrak(b: Uint8Array, trak: Box, fileName: string): TrackInfo {
  const tkhd = child(b, trak, 'tkhd', fileName);
  const mdia = child(b, trak, 'mdia', fileName);
  if (!mdia) throw new CorruptMediaError(fileName, 'a track has no media header (mdia)');
  const hdlr = child(b, mdia, 'hdlr', fileName);
  const handler = hdlr ? ascii(b, hdlr.start + hdlr.header + 8, 4) : '????';
  const kind: TrackInfo['kind'] = handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : 'other';
  const t: TrackInfo = { kind, codec: 'unknown' };
  const minf = child(b, mdia, 'minf', fileName);
  const stbl = minf && child(b, minf, 'stbl', fileName);
  const stsd = stbl && child(b, stbl, 'stsd', fileName);
  if (stsd) {
    const e = stsd.start + stsd.header + 8; // version/flags + entry_count
    if (e + 8 <= stsd.start + stsd.size) {
      t.codec = ascii(b, e + 4, 4);
      const dv = new DataView(b.buffer, b.byteOffset + e);
      if (kind === 'video' && e + 36 <= stsd.start + stsd.size) {
        t.width = dv.getUint16(32);
        t.height = dv.getUint16(34);
      }
      if (kind === 'audio' && e + 36 <= stsd.start + stsd.size) {
        t.channels = dv.getUint16(24);
        t.sampleRate = dv.getUint32(32) >>> 16;
        // AAC keeps the real layout in its AudioSpecificConfig (esds); the sample entry often says 2.
        if (t.codec === 'mp4a') {
          const asc = aacChannels(b, e + 36, stsd.start + stsd.size);
          if (asc) t.channels = asc;
        }
      }
    }
  }
  if (tkhd && kind === 'video') {
    const v = b[tkhd.start + tkhd.header];
    const m = tkhd.start + tkhd.header + (v === 1 ? 52 : 40); // matrix a, b, u, c, d, v, x, y, w
    const dv = new DataView(b.buffer, b.byteOffset + m);
    const a = dv.getInt32(0) / 65536;
    const bb = dv.getInt32(4) / 65536;
    // Reported as the clockwise turn a player applies (ffmpeg's `rotate` tag convention).
    const ccw = Math.round((Math.atan2(bb, a) * 180) / Math.PI / 90) * 90;
    t.rotation = ((360 - ccw) % 360 + 360) % 360;
  }
  return t;
}

/** Channel count from an esds box's AudioSpecificConfig (ISO 14496-3), or null. */
function aacChannels(b: Uint8Array, from: number, to: number): number | null {
  for (let o = from; o + 8 < to; o++) {
    if (ascii(b, o, 4) !== 'esds') continue;
    // Descriptors: tag 0x05 (DecoderSpecificInfo) holds the AudioSpecificConfig.
    for (let p = o + 8; p + 2 < to; p++) {
      if (b[p] !== 0x05) continue;
      let q = p + 1;
      let len = 0;
      for (let i = 0; i < 4; i++) {
        const c = b[q++];
        len = (len << 7) | (c & 0x7f);
        if (!(c & 0x80)) break;
      }
      if (len < 2 || q + len > to) continue;
      const bits = (b[q] << 24) | (b[q + 1] << 16) | ((b[q + 2] ?? 0) << 8) | (b[q + 3] ?? 0);
      let pos = 5; // objectType
      const freqIndex = (bits >>> (32 - pos - 4)) & 0xf;
      pos += 4;
      if (freqIndex === 15) pos += 24;
      if (pos + 4 > 32) return null;
      const cfg = (bits >>> (32 - pos - 4)) & 0xf;
      const table = [0, 1, 2, 3, 4, 5, 6, 8];
      return cfg > 0 && cfg < table.length ? table[cfg] : null;
    }
    return null;
  }
  return null;
}

// ---------------------------------------------------------------- Matroska / WebM (EBML)

const ID = { Segment: 0x18538067, Info: 0x1549a966, Tracks: 0x1654ae6b, TrackEntry: 0xae, TrackType: 0x83, CodecID: 0x86, Video: 0xe0, Audio: 0xe1, PixelWidth: 0xb0, PixelHeight: 0xba, Channels: 0x9f, SamplingFrequency: 0xb5, Duration: 0x4489, TimecodeScale: 0x2ad7b1, Cluster: 0x1f43b675 };

interface Vint { value: number; length: number; unknown: boolean }

function readVint(b: Uint8Array, o: number, keepMarker: boolean): Vint | null {
  if (o >= b.length) return null;
  const first = b[o];
  let len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1)))) len++;
  if (len > 8 || o + len > b.length) return null;
  let value = keepMarker ? first : first & (0xff >> len);
  let allOnes = (first & (0xff >> len)) === 0xff >> len;
  for (let i = 1; i < len; i++) {
    value = value * 256 + b[o + i];
    if (b[o + i] !== 0xff) allOnes = false;
  }
  return { value, length: len, unknown: !keepMarker && allOnes };
}

interface Element { id: number; dataStart: number; size: number; unknown: boolean }

function readElement(b: Uint8Array, o: number): Element | null {
  const id = readVint(b, o, true);
  if (!id) return null;
  const sz = readVint(b, o + id.length, false);
  if (!sz) return null;
  return { id: id.value, dataStart: o + id.length + sz.length, size: sz.value, unknown: sz.unknown };
}

function uint(b: Uint8Array, e: Element): number {
  let v = 0;
  for (let i = 0; i < e.size; i++) v = v * 256 + b[e.dataStart + i];
  return v;
}

function float(b: Uint8Array, e: Element): number {
  const dv = new DataView(b.buffer, b.byteOffset + e.dataStart, e.size);
  return e.size === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
}

async function probeMatroska(src: ByteSource, fileName: string, container: ContainerKind): Promise<MediaInfo> {
  // Track headers live near the start; 1 MiB covers every muxer we know, and clusters stop the walk.
  const b = await src.read(0, Math.min(src.size, 1 << 20));
  const header = readElement(b, 0);
  if (!header) throw new TruncatedMediaError(fileName, 'the file ends inside its EBML header');
  let o = header.dataStart + header.size;
  const seg = readElement(b, o);
  if (!seg || seg.id !== ID.Segment) {
    if (o >= b.length) throw new TruncatedMediaError(fileName, 'the file ends after its EBML header');
    throw new CorruptMediaError(fileName, 'no Matroska Segment after the EBML header');
  }
  if (!seg.unknown && seg.dataStart + seg.size > src.size) {
    // Declared segment longer than the file: a cut-off file. (Live recordings use unknown sizes.)
    throw new TruncatedMediaError(fileName, `the segment needs ${seg.dataStart + seg.size} bytes but the file has ${src.size}`);
  }
  o = seg.dataStart;
  let timecodeScale = 1e6;
  let rawDuration: number | null = null;
  const tracks: TrackInfo[] = [];
  let sawTracks = false;
  while (o < b.length) {
    const e = readElement(b, o);
    if (!e) break;
    if (e.id === ID.Cluster) break;
    const end = e.unknown ? b.length : e.dataStart + e.size;
    if (end > b.length && e.id !== ID.Cluster) {
      if (b.length >= src.size) throw new TruncatedMediaError(fileName, `an element at byte ${o} runs past the end of the file`);
      break;
    }
    if (e.id === ID.Info) {
      for (let p = e.dataStart; p < end;) {
        const c = readElement(b, p);
        if (!c) break;
        if (c.id === ID.TimecodeScale) timecodeScale = uint(b, c);
        if (c.id === ID.Duration) rawDuration = float(b, c);
        p = c.dataStart + c.size;
      }
    }
    if (e.id === ID.Tracks) {
      sawTracks = true;
      for (let p = e.dataStart; p < end;) {
        const te = readElement(b, p);
        if (!te) break;
        if (te.id === ID.TrackEntry) tracks.push(parseTrackEntry(b, te));
        p = te.dataStart + te.size;
      }
    }
    o = end;
  }
  if (!sawTracks) {
    if (src.size <= b.length && o >= src.size) throw new TruncatedMediaError(fileName, 'the file ends before its track list');
    throw new CorruptMediaError(fileName, 'no track list (Tracks element) in the first megabyte');
  }
  const durationSec = rawDuration === null ? null : (rawDuration * timecodeScale) / 1e9;
  return finish(container, durationSec, tracks, fileName);
}

function parseTrackEntry(b: Uint8Array, te: Element): TrackInfo {
  const t: TrackInfo = { kind: 'other', codec: 'unknown' };
  for (let p = te.dataStart; p < te.dataStart + te.size;) {
    const c = readElement(b, p);
    if (!c) break;
    if (c.id === ID.TrackType) {
      const v = uint(b, c);
      t.kind = v === 1 ? 'video' : v === 2 ? 'audio' : 'other';
    }
    if (c.id === ID.CodecID) t.codec = ascii(b, c.dataStart, c.size).replace(/\0+$/, '');
    if (c.id === ID.Video || c.id === ID.Audio) {
      for (let q = c.dataStart; q < c.dataStart + c.size;) {
        const g = readElement(b, q);
        if (!g) break;
        if (g.id === ID.PixelWidth) t.width = uint(b, g);
        if (g.id === ID.PixelHeight) t.height = uint(b, g);
        if (g.id === ID.Channels) t.channels = uint(b, g);
        if (g.id === ID.SamplingFrequency) t.sampleRate = float(b, g);
        q = g.dataStart + g.size;
      }
    }
    p = c.dataStart + c.size;
  }
  return t;
}

function finish(container: ContainerKind, durationSec: number | null, tracks: TrackInfo[], fileName: string): MediaInfo {
  if (tracks.length === 0) throw new CorruptMediaError(fileName, 'it lists no tracks');
  return {
    container,
    durationSec,
    tracks,
    video: tracks.find((t) => t.kind === 'video') ?? null,
    audio: tracks.find((t) => t.kind === 'audio') ?? null,
  };
}

/** Sniffs and probes a file. Throws EmptyFileError, NotAVideoError, TruncatedMediaError, CorruptMediaError. */
export async function probe(src: ByteSource, fileName: string): Promise<MediaInfo> {
  if (src.size === 0) throw new EmptyFileError(fileName);
  const head = await src.read(0, 64);
  const kind = sniff(head, fileName, src.size);
  return kind === 'mp4' || kind === 'mov' ? probeBmff(src, fileName, kind) : probeMatroska(src, fileName, kind);
}

/** Human name of a codec id, for messages. */
export function codecName(codec: string): string {
  const names: Record<string, string> = {
    avc1: 'H.264', avc3: 'H.264', hvc1: 'HEVC/H.265', hev1: 'HEVC/H.265', vp08: 'VP8', vp09: 'VP9', av01: 'AV1',
    mp4v: 'MPEG-4 Part 2', apcn: 'Apple ProRes 422', apch: 'Apple ProRes 422 HQ', apcs: 'Apple ProRes 422 LT',
    apco: 'Apple ProRes 422 Proxy', ap4h: 'Apple ProRes 4444', jpeg: 'Motion JPEG', mjpa: 'Motion JPEG', mjp2: 'Motion JPEG 2000',
    'V_VP8': 'VP8', 'V_VP9': 'VP9', 'V_AV1': 'AV1', 'V_MPEG4/ISO/AVC': 'H.264', 'V_MPEGH/ISO/HEVC': 'HEVC/H.265',
    'V_MJPEG': 'Motion JPEG', 'V_MS/VFW/FOURCC': 'a Video-for-Windows codec', 'V_THEORA': 'Theora', 'V_PRORES': 'Apple ProRes',
    mp4a: 'AAC', Opus: 'Opus', 'A_OPUS': 'Opus', 'A_VORBIS': 'Vorbis', 'A_AAC': 'AAC', 'ac-3': 'AC-3', 'ec-3': 'E-AC-3', lpcm: 'PCM', sowt: 'PCM', twos: 'PCM',
  };
  return names[codec] ?? codec;
}

/**
 * A MIME type with codecs for canPlayType / MediaSource.isTypeSupported, or null when the codec
 * has no registered codecs-parameter form (those are judged by the decoder itself).
 */
export function playabilityQuery(info: MediaInfo): string | null {
  const v = info.video?.codec;
  if (!v) return null;
  const box = info.container === 'webm' || info.container === 'matroska' ? 'video/webm' : 'video/mp4';
  const map: Record<string, string> = {
    avc1: 'avc1.42E01E', avc3: 'avc1.42E01E', vp09: 'vp09.00.10.08', vp08: 'vp8', av01: 'av01.0.04M.08', hvc1: 'hvc1.1.6.L93.B0', hev1: 'hev1.1.6.L93.B0', mp4v: 'mp4v.20.9',
    V_VP8: 'vp8', V_VP9: 'vp9', V_AV1: 'av01.0.04M.08', 'V_MPEG4/ISO/AVC': 'avc1.42E01E', 'V_THEORA': 'theora',
  };
  const c = map[v];
  return c ? `${box}; codecs="${c}"` : null;
}

/** Codecs no mainstream browser decodes; reported before trying. */
export const NEVER_PLAYABLE = new Set(['apcn', 'apch', 'apcs', 'apco', 'ap4h', 'ap4x', 'jpeg', 'mjpa', 'mjpb', 'mjp2', 'mp4v', 'V_MJPEG', 'V_PRORES', 'V_MS/VFW/FOURCC', 'cvid', 'rle ', 'png ', 'dvc ', 'dvcp', 'dv5n', 'dvh5']);
