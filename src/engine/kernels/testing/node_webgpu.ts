/**
 * Node only (vitest, tools/bench): starts tfjs's webgpu backend on the `webgpu` npm package (Dawn).
 * Without a GPU, Dawn needs a Vulkan driver: we point it at the SwiftShader ICD that Debian's
 * chromium package ships, when that file exists and the caller has not chosen one. Returns the
 * adapter description, or the reason WebGPU is unavailable (callers skip with that reason).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { initBackend } from '../../backend';

// Where Debian's chromium package puts SwiftShader's Vulkan ICD (FIELD-NOTES); VK_ICD_FILENAMES overrides.
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json'];

let started: Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> | null = null;

export function startNodeWebGPU(): Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> {
  started ??= (async () => {
    try {
      if (!process.env.VK_ICD_FILENAMES) {
        const icd = SWIFTSHADER_ICDS.find((p) => existsSync(p));
        if (icd) process.env.VK_ICD_FILENAMES = icd;
      }
      process.env.XDG_RUNTIME_DIR ??= tmpdir(); // Dawn's Vulkan loader warns without one
      const mod = (await import('webgpu')) as unknown as { create: (opts: string[]) => GPU; globals: Record<string, unknown> };
      Object.assign(globalThis, mod.globals);
      const gpu = mod.create([]);
      // tfjs-backend-webgpu checks navigator.gpu before it accepts a device (Node 20 has no navigator).
      const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
      if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
      if (!g.navigator!.gpu) Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true });
      const adapter = await gpu.requestAdapter();
      if (!adapter) return { ok: false as const, reason: `no WebGPU adapter from Dawn (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'})` };
      const st = await initBackend({ prefer: ['webgpu'], gpu, force: true } as Parameters<typeof initBackend>[0] & { force: boolean });
      return { ok: true as const, adapter: st.adapter ?? 'unknown adapter' };
    } catch (e) {
      return { ok: false as const, reason: e instanceof Error ? e.message : String(e) };
    }
  })();
  return started;
}
