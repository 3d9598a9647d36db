/**
 * Geometry worker entry: `new Worker(new URL('./geometry.worker.ts', import.meta.url), { type: 'module' })`.
 *
 * Protocol (request id, result or error, DESIGN.md #7):
 *   -> { id, type: 'warmup' } | { id, type: 'window', request: WindowRequest }
 *   <- { id, type: 'result', result } | { id, type: 'error', error: SerializedError }
 */
import { estimateWindowHomographies, warmUpGeometry, type WindowRequest } from './service';
import { serializeError } from '../errors';

export type GeometryRequest = { id: number; type: 'warmup' } | { id: number; type: 'window'; request: WindowRequest };

interface WorkerScope {
  onmessage: ((ev: MessageEvent<GeometryRequest>) => void) | null;
  postMessage(msg: unknown): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (ev) => {
  const msg = ev.data;
  void (async () => {
    try {
      if (msg.type === 'warmup') {
        await warmUpGeometry();
        scope.postMessage({ id: msg.id, type: 'result', result: null });
      } else if (msg.type === 'window') {
        const result = await estimateWindowHomographies(msg.request);
        scope.postMessage({ id: msg.id, type: 'result', result });
      } else {
        throw new Error(`unknown geometry request ${(msg as { type: string }).type}`);
      }
    } catch (e) {
      scope.postMessage({ id: msg.id, type: 'error', error: serializeError(e) });
    }
  })();
};
