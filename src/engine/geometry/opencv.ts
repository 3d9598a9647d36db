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
 * In the browser the 10 MB script is a separate asset (`?url`), fetched only by the geometry
 * worker (or the harness page) when it first needs it, and emitted once however many entries use it.
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

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; window?: unknown; WorkerGlobalScope?: unknown };
  return !!g.process?.versions?.node && g.window === undefined && g.WorkerGlobalScope === undefined;
}

/**
 * Node: `require` through createRequire. Vitest's module runner, given `import()` of this 10 MB
 * CJS file, spent minutes at full CPU without finishing (vitest 4.1, seen here), while require
 * takes ~0.3 s. The specifier is a variable so bundlers leave `node:module` alone; the browser
 * never takes that branch.
 */
async function importModule(): Promise<{ mod: CV }> {
  // Returns the module inside a plain object: an async function returning the thenable itself
  // would adopt it and never settle.
  if (isNode()) {
    const nodeModule = 'node:module';
    const { createRequire } = (await import(/* @vite-ignore */ nodeModule)) as typeof import('node:module');
    return { mod: createRequire(import.meta.url)('@techstark/opencv-js') };
  }
  // Browser (page or module Worker): the bundler's CJS interop of this UMD file hands back a
  // namespace that dynamic import() never settled on (seen in Chromium with Vite 8), and a module
  // Worker has no importScripts. So the file ships as a plain asset and runs as a CommonJS body.
  const { default: url } = await import('@techstark/opencv-js/dist/opencv.js?url');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`opencv.js could not be loaded (${res.status} ${res.statusText} for ${url})`);
  const source = await res.text();
  const cjs: { exports: Record<string, unknown> } = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('module', 'exports', 'define', source)(cjs, cjs.exports, undefined);
  return { mod: cjs.exports as CV };
}

/** Resolves to `{ cv }` once the wasm runtime is up; later calls reuse the same instance. */
export function loadOpenCV(): Promise<{ cv: CV }> {
  if (!loading) {
    loading = importModule().then(({ mod }) => whenReady(mod));
    loading.catch(() => { loading = null; });
  }
  return loading;
}

/** Bytes of the wasm heap (it only ever grows). */
export function wasmHeapBytes(cv: CV): number {
  return (cv.HEAPU8 as Uint8Array).buffer.byteLength;
}
