/**
 * Loads opencv.js (@techstark/opencv-js 4.12) once per realm: Node (vitest, tools) and a Worker
 * (or the page, for the harness).
 *
 * The trap (FIELD-NOTES): the 4.x module object is an Emscripten MODULARIZE instance with a
 * `then` method, but it is not a Promise. `await`ing it (or returning it from an async function,
 * which awaits it implicitly) never settles. So this file never lets the module object reach a
 * `resolve()` or an `await`: it waits on `onRuntimeInitialized` (or sees `Mat` already there) and
 * hands the module back wrapped in a plain object `{ cv }`.
 *
 * The 10 MB script is pulled in by a dynamic import, so it lands in its own chunk that only the
 * geometry worker (or a test) loads.
 */

/**
 * The opencv.js module. Its bundled typings are incomplete for 4.12 (USAC flags, knnMatch
 * vectors, findTransformECC overloads), so it is typed loosely here and wrapped by the typed
 * functions of this folder.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CV = any;

let loading: Promise<{ cv: CV }> | null = null;

function whenReady(mod: CV): Promise<{ cv: CV }> {
  return new Promise((resolve, reject) => {
    if (mod && typeof mod.Mat === 'function') {
      resolve({ cv: mod });
      return;
    }
    const timer = setTimeout(() => reject(new Error('opencv.js runtime did not initialise within 60 s')), 60_000);
    const previous = mod.onRuntimeInitialized;
    mod.onRuntimeInitialized = () => {
      clearTimeout(timer);
      if (typeof previous === 'function') previous();
      resolve({ cv: mod });
    };
  });
}

/** Resolves to `{ cv }` once the wasm runtime is up; later calls reuse the same instance. */
export function loadOpenCV(): Promise<{ cv: CV }> {
  if (!loading) {
    loading = import('@techstark/opencv-js').then((ns: Record<string, unknown>) => {
      // CJS interop: Node gives { default, cv }, bundlers give { default } (or the module itself).
      const mod = (ns.default ?? ns.cv ?? ns) as CV;
      return whenReady(mod);
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}

/** Bytes of the wasm heap (it only ever grows). */
export function wasmHeapBytes(cv: CV): number {
  return (cv.HEAPU8 as Uint8Array).buffer.byteLength;
}
