/**
 * Main-thread client for geometry.worker.ts: promises keyed by request id; errors are rebuilt as
 * the same EgoError classes (deserializeError). Kept here, self-contained, until the shared
 * worker client in src/workers/ absorbs it.
 */
import { deserializeError, type SerializedError } from '../errors';
import type { WindowRequest, WindowResponse } from './service';

type Reply = { id: number; type: 'result'; result: unknown } | { id: number; type: 'error'; error: SerializedError };

export class GeometryClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent<Reply>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      this.pending.delete(ev.data.id);
      if (ev.data.type === 'result') p.resolve(ev.data.result);
      else p.reject(deserializeError(ev.data.error));
    };
    // A worker that fails to load or dies answers nothing: fail what is pending instead of hanging.
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      this.failAll(new Error(`geometry worker failed: ${ev.message || 'it could not start'}`));
    };
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  static create(): GeometryClient {
    return new GeometryClient(new Worker(new URL('./geometry.worker.ts', import.meta.url), { type: 'module' }));
  }

  private call<T>(msg: Record<string, unknown>, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  warmUp(): Promise<void> {
    return this.call({ type: 'warmup' });
  }

  /** Frames are copied (structured clone); the caller keeps its ImageData. */
  estimateWindow(request: WindowRequest): Promise<WindowResponse> {
    const frames = request.frames.map((f) => ({ width: f.width, height: f.height, data: f.data }));
    return this.call({ type: 'window', request: { ...request, frames } });
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new Error('geometry worker terminated'));
  }
}
