/**
 * Backend selection for tfjs: WebGPU first, then WebGL, then WASM (DESIGN.md #8).
 *
 * - Checks the adapter up front (navigator.gpu present, requestAdapter non-null, limits read) and
 *   records, per backend tried, why it was skipped; the UI shows that list.
 * - Registers WebGPU with our own factory so the same code runs in a page, a Worker, and Node
 *   (where the `webgpu` npm package provides the GPU object: pass it as `gpu`).
 * - Watches `device.lost`: on a loss that we did not cause, listeners hear about it, the backend
 *   is rebuilt on a fresh device (or the next fallback), and listeners get the new state.
 *   Tensors that lived on the lost device are gone: callers recompute (the engine holds none
 *   between requests).
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { GpuDeviceLostError, NoBackendError } from './errors';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendState {
  backend: BackendName;
  /** Why each earlier backend in the chain was not used (empty when the first one works). */
  skipped: Partial<Record<BackendName, string>>;
  /** GPU adapter description where WebGPU runs (vendor / architecture / description). */
  adapter?: string;
  /** How many times the GPU device was lost and rebuilt in this context. */
  deviceLosses: number;
}

export interface InitOptions {
  /** Order to try; default webgpu, webgl, wasm. */
  prefer?: BackendName[];
  /** The WebGPU entry point (navigator.gpu by default; in Node the `webgpu` package's GPU). */
  gpu?: GPU;
  /** Where tfjs-backend-wasm's .wasm files are served from. */
  wasmPath?: string;
}

export const DEFAULT_CHAIN: BackendName[] = ['webgpu', 'webgl', 'wasm'];

type Listener = (event: { type: 'lost'; error: GpuDeviceLostError } | { type: 'restored'; state: BackendState }) => void;

let current: BackendState | null = null;
let gpuEntry: GPU | undefined;
let intentionalDestroy = false;
let deviceLosses = 0;
let lastOptions: InitOptions = {};
const listeners = new Set<Listener>();

export function onBackendEvent(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.description].filter((s) => s && s.length > 0);
  return parts.length ? parts.join(' / ') : 'unnamed adapter';
}

/** Registers (or re-registers) tfjs's 'webgpu' backend on a fresh device of `gpu`. */
function registerWebGPU(gpu: GPU, onAdapter: (desc: string) => void): void {
  if (tf.findBackendFactory('webgpu')) {
    intentionalDestroy = true;
    try {
      tf.removeBackend('webgpu');
    } catch {
      /* a lost backend may fail to dispose; nothing to keep from it */
    }
    intentionalDestroy = false;
  }
  tf.registerBackend('webgpu', async () => {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('requestAdapter() returned null (no usable GPU adapter)');
    const l = adapter.limits;
    const requiredFeatures: GPUFeatureName[] = [];
    if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
    const device = await adapter.requestDevice({
      requiredFeatures,
      requiredLimits: {
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      },
    });
    const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
    onAdapter(describeAdapter(info));
    watchDevice(device);
    return new WebGPUBackend(device, info);
  }, 3);
}

function watchDevice(device: GPUDevice): void {
  device.lost.then((info) => {
    if (intentionalDestroy) return;
    if (!current || current.backend !== 'webgpu') return;
    deviceLosses += 1;
    const error = new GpuDeviceLostError(info.message || info.reason || 'unknown');
    for (const fn of listeners) fn({ type: 'lost', error });
    // Rebuild on a fresh device; if WebGPU is gone for good the chain falls back.
    void initBackend({ ...lastOptions, force: true } as InitOptions & { force: boolean }).then(
      (state) => {
        for (const fn of listeners) fn({ type: 'restored', state });
      },
      () => {
        /* NoBackendError: listeners already saw the loss; the next request reports it */
      },
    );
  });
}

/**
 * Is this a software WebGPU adapter (SwiftShader, lavapipe, llvmpipe, or one the browser flags as
 * a fallback)? There the "GPU" is the CPU running shaders one lane at a time.
 */
export function isSoftwareAdapter(info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } | undefined): boolean {
  if (!info) return false;
  if (info.isFallbackAdapter === true) return true;
  return /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`);
}

/**
 * Measured in Chromium on a 2-core VM without a GPU (docs/results.md): the localizer (MobileNetV2
 * trunk + LVS) took 2626 ms per frame on WebGPU over SwiftShader, 610 ms on WebGL over SwiftShader
 * and 58 ms on WASM (SIMD). So when the only WebGPU adapter is a software one, the default chain
 * runs WASM first and says why; `prefer` (the app's ?backend=webgpu) still forces WebGPU.
 */
export const SOFTWARE_ADAPTER_REASON = 'the WebGPU adapter is a software renderer (no GPU): WASM runs the models faster here (58 vs 2626 ms per frame, measured); ?backend=webgpu forces it';

async function probeSoftwareAdapter(gpu: GPU | undefined): Promise<string | null> {
  if (!gpu) return null;
  try {
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    const info = a ? ((a as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info ?? undefined) : undefined;
    const fallback = (a as (GPUAdapter & { isFallbackAdapter?: boolean }) | null)?.isFallbackAdapter === true;
    return a && (fallback || isSoftwareAdapter(info)) ? describeAdapter(info) : null;
  } catch {
    return null;
  }
}

async function tryWebGPU(gpu: GPU | undefined): Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> {
  if (!gpu) return { ok: false, reason: 'navigator.gpu is missing (browser without WebGPU, or an insecure http:// page)' };
  let adapterDesc = 'unknown adapter';
  try {
    const probe = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!probe) return { ok: false, reason: 'requestAdapter() returned null (WebGPU blocked or no GPU)' };
    registerWebGPU(gpu, (d) => (adapterDesc = d));
    const ok = await tf.setBackend('webgpu');
    if (!ok) return { ok: false, reason: 'tfjs could not start its WebGPU backend' };
    await tf.ready();
    // One tiny op proves the device actually executes shaders.
    const t = tf.tensor1d([1, 2, 3]).square().sum();
    const v = (await t.data())[0];
    t.dispose();
    if (v !== 14) return { ok: false, reason: `WebGPU smoke test returned ${v}, expected 14` };
    return { ok: true, adapter: adapterDesc };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

async function tryStock(name: 'webgl' | 'wasm' | 'cpu', wasmPath?: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    if (name === 'webgl') {
      const canCanvas = typeof OffscreenCanvas !== 'undefined' || typeof document !== 'undefined';
      if (!canCanvas) return { ok: false, reason: 'no canvas to create a WebGL context on' };
    }
    if (name === 'wasm') {
      // The threaded build's pthread workers do not survive bundling; SIMD without threads is
      // what FIELD-NOTES measured, and it does not need cross-origin isolation.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      if (wasmPath) setWasmPaths(wasmPath);
    }
    const ok = await tf.setBackend(name);
    if (!ok) return { ok: false, reason: `tfjs could not start its ${name} backend` };
    await tf.ready();
    const t = tf.tensor1d([1, 2, 3]).square().sum();
    const v = (await t.data())[0];
    t.dispose();
    if (v !== 14) return { ok: false, reason: `${name} smoke test returned ${v}, expected 14` };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Starts the first backend of the chain that works. Repeated calls with the same first choice
 * return the running state unless `force` is set (used after a device loss).
 */
export async function initBackend(opts: InitOptions & { force?: boolean } = {}): Promise<BackendState> {
  const chain = opts.prefer ?? DEFAULT_CHAIN;
  if (!opts.force && current && chain[0] === current.backend && tf.getBackend() === current.backend) return current;
  lastOptions = { prefer: opts.prefer, gpu: opts.gpu, wasmPath: opts.wasmPath };
  gpuEntry = opts.gpu ?? (typeof navigator !== 'undefined' ? (navigator as Navigator & { gpu?: GPU }).gpu : undefined);
  // tfjs's WebGPU backend checks globalThis.navigator.gpu; Node (the `webgpu` package) has none.
  if (opts.gpu && (typeof navigator === 'undefined' || !(navigator as Navigator & { gpu?: GPU }).gpu)) {
    const nav = (globalThis as { navigator?: object }).navigator;
    if (nav) Object.defineProperty(nav, 'gpu', { value: opts.gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu: opts.gpu }, configurable: true, writable: true });
  }
  const wasmPath = opts.wasmPath ?? defaultWasmPath();
  const skipped: Partial<Record<BackendName, string>> = {};
  let order = chain;
  if (!opts.prefer) {
    const soft = await probeSoftwareAdapter(gpuEntry);
    if (soft) {
      order = ['wasm', ...chain.filter((b) => b !== 'wasm')];
      skipped.webgpu = `${SOFTWARE_ADAPTER_REASON} (adapter: ${soft})`;
      skipped.webgl = 'WebGL renders in software too where WebGPU does (610 ms per frame, measured)';
    }
  }
  // tfjs's webgl backend logs to the console when it cannot make a context; quieten it while probing.
  for (const name of order) {
    if (name === 'webgpu') {
      const r = await tryWebGPU(gpuEntry);
      if (r.ok) {
        delete skipped.webgpu;
        current = { backend: 'webgpu', skipped, adapter: r.adapter, deviceLosses };
        return current;
      }
      skipped.webgpu = r.reason;
    } else {
      const r = await tryStock(name, wasmPath);
      if (r.ok) {
        delete skipped[name];
        current = { backend: name, skipped, deviceLosses };
        return current;
      }
      skipped[name] = r.reason;
    }
  }
  current = null;
  throw new NoBackendError(skipped as Record<string, string>);
}

export function backendState(): BackendState | null {
  return current;
}

/** Where the app serves tfjs-wasm's binaries (vite emits them under /tfjs-wasm/). */
function defaultWasmPath(): string | undefined {
  if (typeof location === 'undefined') return undefined;
  return new URL('/tfjs-wasm/', location.href).href;
}

/**
 * Test hook: destroys the current WebGPU device as if the GPU had been lost. The loss handler
 * treats it like a real one (re-initialises, tells listeners).
 */
export function simulateDeviceLoss(): boolean {
  if (!current || current.backend !== 'webgpu') return false;
  const be = tf.backend() as unknown as { device?: GPUDevice };
  if (!be.device) return false;
  be.device.destroy();
  return true;
}

/** The running backend, starting the default chain only if none runs yet. */
export async function ensureBackend(): Promise<BackendState> {
  if (current && tf.getBackend() === current.backend) return current;
  return initBackend({ ...lastOptions, force: true });
}
