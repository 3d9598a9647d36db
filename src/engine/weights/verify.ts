/**
 * Weights are shipped in models/ and listed in models/manifest.json with a sha256 per file.
 * Every file is fetched with byte-level progress and hashed before tfjs sees it; a mismatch
 * raises WeightsIntegrityError and nothing runs with the file.
 */
import { CancelledError, WeightsIntegrityError, WeightsUnavailableError } from '../errors';

export interface WeightsFile { path: string; sha256: string; bytes: number }

export interface ModelEntry {
  id: string;
  /** What the model implements (paper and block). */
  description: string;
  files: WeightsFile[];
  /** The model's config as trained (validated by the model's own validateConfig). */
  config: Record<string, unknown>;
  /** Hash of the dataset it was trained on, the exact command, and its measured metrics. */
  dataset?: { hash: string; description: string };
  trainCommand?: string;
  metrics?: Record<string, number>;
  card?: string;
}

export interface Manifest { version: 1; models: ModelEntry[] }

export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const buf = data instanceof Uint8Array ? data : new Uint8Array(data);
  const digest = await crypto.subtle.digest('SHA-256', buf as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export type Fetcher = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface LoadProgress { file: string; loaded: number; total: number }

/**
 * Fetches every file of a model (relative to baseUrl), reporting bytes as they arrive, and
 * checks each against its sha256. Returns the verified bytes by path.
 */
export async function fetchVerified(entry: ModelEntry, baseUrl: string, opts: { fetcher?: Fetcher; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<Map<string, Uint8Array>> {
  const fetcher = opts.fetcher ?? ((u, i) => fetch(u, i));
  const total = entry.files.reduce((a, f) => a + f.bytes, 0);
  let loaded = 0;
  const out = new Map<string, Uint8Array>();
  for (const f of entry.files) {
    if (opts.signal?.aborted) throw new CancelledError('loading weights');
    let resp: Response;
    try {
      resp = await fetcher(new URL(f.path, baseUrl).href, { signal: opts.signal });
    } catch (e) {
      if (opts.signal?.aborted) throw new CancelledError('loading weights');
      throw new WeightsUnavailableError(f.path, e instanceof Error ? e.message : String(e));
    }
    if (!resp.ok || !resp.body) throw new WeightsUnavailableError(f.path, `HTTP ${resp.status}`);
    const parts: Uint8Array[] = [];
    const reader = resp.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.length;
      opts.onProgress?.({ file: f.path, loaded, total });
    }
    const size = parts.reduce((a, p) => a + p.length, 0);
    const bytes = new Uint8Array(size);
    let o = 0;
    for (const p of parts) { bytes.set(p, o); o += p.length; }
    const got = await sha256Hex(bytes);
    if (got !== f.sha256) throw new WeightsIntegrityError(f.path, f.sha256, got);
    out.set(f.path, bytes);
  }
  return out;
}
