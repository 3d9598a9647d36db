import { describe, it, expect } from 'vitest';
import { initBackend, backendState } from './backend';
import { NoBackendError, WebGPUUnavailableError } from './errors';

describe('backend chain (Node: no navigator.gpu, no canvas)', () => {
  it('records why each backend was skipped and lands on the first that works', async () => {
    const s = await initBackend({ prefer: ['webgpu', 'webgl', 'cpu'] });
    expect(s.backend).toBe('cpu');
    expect(s.skipped.webgpu).toMatch(/navigator\.gpu is missing/);
    expect(s.skipped.webgl).toMatch(/canvas/);
    expect(backendState()?.backend).toBe('cpu');
  });

  it('throws NoBackendError naming every reason when none works', async () => {
    const e = await initBackend({ prefer: ['webgpu', 'webgl'], force: true }).catch((x) => x);
    expect(e).toBeInstanceOf(NoBackendError);
    expect(e.message).toMatch(/webgpu: .*; webgl: /);
    expect(e.hint).toMatch(/reload/i);
    expect(new WebGPUUnavailableError('x').code).toBe('WEBGPU_UNAVAILABLE');
  });
});

describe('software adapters', () => {
  it('are recognised by vendor/architecture/description or the fallback flag', async () => {
    const { isSoftwareAdapter } = await import('./backend');
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe(false);
    expect(isSoftwareAdapter(undefined)).toBe(false);
  });
});
