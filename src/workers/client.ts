/**
 * Client side of the engine protocol: typed calls, progress callbacks, cancellation through an
 * AbortSignal, errors rebuilt as their EgoError classes, and worker crashes turned into
 * WorkerCrashedError for every pending call (nothing waits forever).
 */
import { CancelledError, WorkerCrashedError, deserializeError, type EgoError } from '../engine/errors';
import { transferablesOf, type EngineApi, type EngineEvent, type Progress, type Reply, type RequestType } from './protocol';

export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  addEventListener(type: 'error', fn: (e: ErrorEvent) => void): void;
  terminate?(): void;
}

export interface CallOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Move these buffers instead of copying (default: every typed array in the payload). */
  transfer?: Transferable[];
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: EgoError) => void;
  onProgress?: (p: Progress) => void;
}

export class EngineClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private eventListeners = new Set<(e: EngineEvent) => void>();
  private dead: EgoError | null = null;

  constructor(private readonly endpoint: Endpoint) {
    endpoint.addEventListener('message', (e: MessageEvent) => this.onReply(e.data as Reply));
    endpoint.addEventListener('error', (e: ErrorEvent) => this.crash(e.message || 'the worker raised an uncaught error'));
  }

  static createWorker(): EngineClient {
    const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'egosound-engine' });
    return new EngineClient(worker);
  }

  onEvent(fn: (e: EngineEvent) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  call<K extends RequestType>(type: K, payload: EngineApi[K]['payload'], opts: CallOptions = {}): Promise<EngineApi[K]['result']> {
    if (this.dead) return Promise.reject(this.dead);
    if (opts.signal?.aborted) return Promise.reject(new CancelledError(type));
    const id = this.nextId++;
    return new Promise<EngineApi[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => {
        if (!this.pending.has(id)) return;
        this.endpoint.postMessage({ id, type: 'cancel' });
      }, { once: true });
      this.endpoint.postMessage({ id, type, payload }, opts.transfer ?? transferablesOf(payload));
    });
  }

  /** Stops the worker; pending calls fail with CancelledError. */
  terminate(): void {
    this.endpoint.terminate?.();
    for (const p of this.pending.values()) p.reject(new CancelledError('the engine'));
    this.pending.clear();
    this.dead = new CancelledError('the engine (terminated)');
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private onReply(r: Reply): void {
    if (!r || typeof r !== 'object') return;
    if (r.kind === 'event') {
      for (const fn of this.eventListeners) fn(r.event);
      return;
    }
    const p = this.pending.get(r.id);
    if (!p) return;
    if (r.kind === 'progress') {
      p.onProgress?.(r.progress);
      return;
    }
    this.pending.delete(r.id);
    if (r.kind === 'result') p.resolve(r.result);
    else p.reject(deserializeError(r.error));
  }

  private crash(why: string): void {
    this.dead = new WorkerCrashedError(why);
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }
}
