/**
 * Median wall time (ms) of `reps` runs of fn after one warm-up run (compiles shaders, fills
 * caches); shared by the harness benches so they time things the same way.
 */
export async function medianMs(fn: () => Promise<unknown> | unknown, reps: number): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
