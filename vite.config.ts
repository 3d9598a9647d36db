import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// Cross-origin isolation (COOP/COEP) lets tfjs-wasm use threads and gives precise timers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Serves tfjs-backend-wasm's .wasm binaries from the app itself (nothing is fetched from a CDN). */
function tfjsWasmFiles(): Plugin {
  return {
    name: 'egosound-tfjs-wasm',
    apply: 'build',
    async generateBundle() {
      const { readFile } = await import('node:fs/promises');
      const dir = resolve(import.meta.dirname, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
      for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
        this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${f}`, source: await readFile(resolve(dir, f)) });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), tfjsWasmFiles()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        harness: resolve(import.meta.dirname, 'harness.html'),
      },
    },
  },
});
