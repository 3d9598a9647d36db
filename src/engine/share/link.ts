/**
 * Share links: the URL carries everything needed to reproduce a view (issue 7), as readable query
 * parameters in a fixed order, parsed strictly against a schema.
 *
 *   #v=1&model=lvs-synth&sha=<64 hex>&method=lvs&eps=0.5&tau=0.03&T=9&fps=8&aspect=squash
 *    &clip=demo:demo&t=1.25&opacity=0.6&cmap=inferno&mode=threshold&ov=1&spec=1
 *    &hash=<64 hex>&grids=<one hex digit per frame>&refine=none&det=392
 *
 * The app puts them in the URL's fragment (#...), which browsers never send to a server; `hash`
 * and `grids` are the result hash of the maps and its per-frame grids (engine/pipeline/hash.ts),
 * so that opening the link can say whether it reproduced the same maps. `refine` is the windowed
 * methods' homography refinement (LocalizeInput.refine): always written, and a link without it
 * was made before the app dropped ECC, so it means 'ecc' (LEGACY_REFINE) and still reproduces.
 * `det` is the side the frame is shown at in the object detector's 512x512 input (the heard-object
 * methods; LocalizeInput.detectorFrame): always written, and a link without it was made when the
 * frame filled the input, so it means 512 (LEGACY_DETECTOR_FRAME) and still reproduces.
 *
 * Rules: every key is known and appears at most once; every value matches its type and range;
 * the whole query is at most MAX_LENGTH characters; a clip is either a bundled demo id or an
 * https URL (fetched only after the person agrees, by the app); anything else yields a list of
 * problems and the default view, never an exception and never a value that was not validated.
 */
import type { Refinement } from '../geometry/config';
import { DETECTOR_FRAME, LEGACY_DETECTOR_FRAME, isDetectorFrame } from '../models/detectorFrame';

export const MAX_LENGTH = 2048;

export type ClipRef = { kind: 'demo'; id: string } | { kind: 'url'; url: string };

export interface ShareState {
  v: 1;
  model: string;
  sha: string | null;
  method: string;
  eps: number;
  tau: number;
  T: number;
  fps: number;
  aspect: 'squash' | 'crop' | 'pad';
  clip: ClipRef | null;
  t: number;
  opacity: number;
  cmap: 'inferno' | 'jet' | 'gray';
  mode: 'normalized' | 'threshold';
  ov: boolean;
  spec: boolean;
  hash: string | null;
  grids: string | null;
  refine: Refinement;
  det: number;
}

/** What a link without `refine` was made with: links before the default became 'none' (2026-12-07). */
export const LEGACY_REFINE = 'ecc' as const;

export const DEFAULT_SHARE: ShareState = {
  v: 1, model: 'none', sha: null, method: 'none', eps: 0.5, tau: 0.03, T: 9, fps: 8, aspect: 'squash',
  clip: null, t: 0, opacity: 0.6, cmap: 'inferno', mode: 'normalized', ov: true, spec: true, hash: null, grids: null, refine: 'none', det: DETECTOR_FRAME,
};

/** Longest grid string a link carries (one hex digit per frame); longer runs share without it. */
export const MAX_GRIDS = 1200;

type Field<K extends keyof ShareState> = { parse: (raw: string) => ShareState[K] | undefined; encode: (v: ShareState[K]) => string | null; doc: string };

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const num = (lo: number, hi: number, digits: number) => ({
  parse: (raw: string) => {
    if (!/^-?\d{1,6}(\.\d{1,6})?$/.test(raw)) return undefined;
    const v = Number(raw);
    // Stored at the precision it is encoded with, so a link always reproduces itself exactly.
    return v >= lo && v <= hi ? Number(v.toFixed(digits)) : undefined;
  },
  encode: (v: number) => v.toFixed(digits).replace(/\.?0+$/, '') || '0',
  doc: `a number in [${lo}, ${hi}]`,
});
const int = (lo: number, hi: number) => ({
  parse: (raw: string) => (/^\d{1,4}$/.test(raw) && +raw >= lo && +raw <= hi ? +raw : undefined),
  encode: (v: number) => String(v),
  doc: `an integer in [${lo}, ${hi}]`,
});
const oneOf = <T extends string>(values: readonly T[]) => ({
  parse: (raw: string) => (values as readonly string[]).includes(raw) ? (raw as T) : undefined,
  encode: (v: T) => v,
  doc: `one of ${values.join(', ')}`,
});

function parseClip(raw: string): ClipRef | null | undefined {
  if (raw === 'none') return null;
  const demo = /^demo:([a-z0-9][a-z0-9._-]{0,63})$/.exec(raw);
  if (demo) return { kind: 'demo', id: demo[1] };
  if (!raw.startsWith('https://') || raw.length > 1024) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  // Only plain https URLs without credentials; no fragments (they could smuggle state).
  if (u.protocol !== 'https:' || u.username || u.password || u.hash || !u.hostname.includes('.')) return undefined;
  return { kind: 'url', url: u.href };
}

const FIELDS: { [K in keyof ShareState]: Field<K> } = {
  v: { parse: (r) => (r === '1' ? 1 : undefined), encode: () => '1', doc: '1' },
  model: { parse: (r) => (ID.test(r) ? r : undefined), encode: (v) => v, doc: 'a model id (lowercase letters, digits, . _ -)' },
  sha: { parse: (r) => (r === 'none' ? null : /^[0-9a-f]{64}$/.test(r) ? r : undefined), encode: (v) => v ?? 'none', doc: '64 lowercase hex digits' },
  method: { parse: (r) => (ID.test(r) ? r : undefined), encode: (v) => v, doc: 'a method name' },
  eps: num(0, 1, 4),
  tau: num(0.001, 1, 4),
  T: int(1, 16),
  fps: int(1, 30),
  aspect: oneOf(['squash', 'crop', 'pad'] as const),
  clip: { parse: parseClip, encode: (v) => (v === null ? 'none' : v.kind === 'demo' ? `demo:${v.id}` : v.url), doc: 'demo:<id> or an https:// URL' },
  t: num(0, 86400, 3),
  opacity: num(0, 1, 2),
  cmap: oneOf(['inferno', 'jet', 'gray'] as const),
  mode: oneOf(['normalized', 'threshold'] as const),
  ov: { parse: (r) => (r === '1' ? true : r === '0' ? false : undefined), encode: (v) => (v ? '1' : '0'), doc: '0 or 1' },
  spec: { parse: (r) => (r === '1' ? true : r === '0' ? false : undefined), encode: (v) => (v ? '1' : '0'), doc: '0 or 1' },
  hash: { parse: (r) => (r === 'none' ? null : /^[0-9a-f]{64}$/.test(r) ? r : undefined), encode: (v) => v ?? 'none', doc: '64 lowercase hex digits' },
  grids: { parse: (r) => (r === 'none' ? null : new RegExp(`^[0-9a-f]{1,${MAX_GRIDS}}$`).test(r) ? r : undefined), encode: (v) => v ?? 'none', doc: `1 to ${MAX_GRIDS} lowercase hex digits` },
  refine: oneOf(['ecc', 'none'] as const),
  det: { parse: (r) => (/^[0-9]{1,3}$/.test(r) && isDetectorFrame(Number(r)) ? Number(r) : undefined), encode: (v) => String(v), doc: 'a multiple of 8 from 8 to 512' },
};

/** Keys every link carries even at their default value (their absence means something else). */
const ALWAYS: (keyof ShareState)[] = ['v', 'refine', 'det'];

const ORDER = Object.keys(FIELDS) as (keyof ShareState)[];

export type ParseResult = { ok: true; state: ShareState } | { ok: false; state: ShareState; problems: string[] };

/** Parses a query string ("?a=b&..." or "a=b&...") or a full URL. Never throws. */
export function parseShareLink(input: string): ParseResult {
  const problems: string[] = [];
  if (typeof input !== 'string') return { ok: false, state: { ...DEFAULT_SHARE }, problems: ['the link is not text'] };
  let query = input;
  const q = input.indexOf('?');
  if (q >= 0) query = input.slice(q + 1);
  const hash = query.indexOf('#');
  if (hash >= 0) query = query.slice(0, hash);
  if (query.length === 0) return { ok: true, state: { ...DEFAULT_SHARE } };
  if (query.length > MAX_LENGTH) return { ok: false, state: { ...DEFAULT_SHARE }, problems: [`the link is ${query.length} characters long; at most ${MAX_LENGTH} are accepted`] };
  const state: ShareState = { ...DEFAULT_SHARE };
  const seen = new Set<string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let raw: string;
    try {
      key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      raw = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      problems.push('a parameter is not valid percent-encoding');
      continue;
    }
    const shown = key.slice(0, 24).replace(/[^\x20-\x7e]/g, '?');
    if (!Object.prototype.hasOwnProperty.call(FIELDS, key)) {
      problems.push(`unknown parameter "${shown}"`);
      continue;
    }
    if (seen.has(key)) {
      problems.push(`parameter "${shown}" appears more than once`);
      continue;
    }
    seen.add(key);
    const f = FIELDS[key as keyof ShareState] as Field<keyof ShareState>;
    const v = f.parse(raw);
    if (v === undefined) {
      problems.push(`parameter "${shown}" must be ${f.doc}`);
      continue;
    }
    (state as unknown as Record<string, unknown>)[key] = v;
  }
  if ((state.hash === null) !== (state.grids === null)) problems.push('parameters "hash" and "grids" come together');
  if (!seen.has('refine')) state.refine = LEGACY_REFINE;
  if (!seen.has('det')) state.det = LEGACY_DETECTOR_FRAME;
  if (problems.length > 0) return { ok: false, state: { ...DEFAULT_SHARE }, problems };
  return { ok: true, state };
}

/** Canonical query string (fixed key order, only non-default keys plus v, refine and det), with a leading '?'. */
export function encodeShareLink(state: ShareState): string {
  const parts: string[] = [];
  for (const key of ORDER) {
    const f = FIELDS[key] as Field<keyof ShareState>;
    const value = state[key];
    const text = f.encode(value as never);
    if (!ALWAYS.includes(key) && text === f.encode(DEFAULT_SHARE[key] as never)) continue;
    if (text !== null) parts.push(`${key}=${encodeURIComponent(text)}`);
  }
  return '?' + parts.join('&');
}
