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

/**
 * Serves the shipped weights (models/manifest.json and every file it lists, plus the model cards)
 * at /models/ from the app itself: emitted into dist/models/ by the build, served from models/
 * by the dev server. Nothing else under models/ is exposed.
 */
function shippedModels(): Plugin {
  const dir = resolve(import.meta.dirname, 'models');
  const listed = async (): Promise<string[]> => {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(resolve(dir, 'manifest.json'), 'utf8')) as { models: { files: { path: string }[]; card?: string }[] };
    return ['manifest.json', ...manifest.models.flatMap((m) => [...m.files.map((f) => f.path), ...(m.card ? [m.card] : [])])];
  };
  return {
    name: 'egosound-models',
    async generateBundle() {
      const { readFile } = await import('node:fs/promises');
      for (const p of await listed()) this.emitFile({ type: 'asset', fileName: `models/${p}`, source: await readFile(resolve(dir, p)) });
    },
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]);
        if (!path.startsWith('/models/')) return next();
        const rel = path.slice('/models/'.length);
        if (!(await listed()).includes(rel)) return next();
        const { readFile } = await import('node:fs/promises');
        res.setHeader('Content-Type', rel.endsWith('.json') ? 'application/json' : rel.endsWith('.md') ? 'text/markdown' : 'application/octet-stream');
        res.end(await readFile(resolve(dir, rel)));
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), tfjsWasmFiles(), shippedModels()],
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
