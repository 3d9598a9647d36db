/**
 * `npm run bench -- live --json [--quick]`: live localization in Chromium, through the same code
 * as the app (LiveLocalizer -> engine Worker), fed by the demo clip played in a loop as if it
 * were a camera (frames into a FrameRing at 8 fps, its sound into a 16 kHz PcmRing), for each
 * backend the worker can start. Records per backend:
 *   ms          mean engine time per map
 *   latencyMs   mean capture -> map-drawn time (p95 in latencyP95Ms)
 *   fps         maps per second over the run; dropped: frames captured but never localized
 *   windowFrames / cacheHits   mean frames sent per map and how many of them had their features
 *               reused from the map before (trunk or detector; 0 for single-frame methods)
 *   directionReused   mean frames per map whose direction features (heard object) were reused: the
 *               engine was sent the same samples of their second as the map before
 *   stageMs_*   mean engine time per map of each stage the Localizer times (windowed methods:
 *               trunk / homographies / model / separation, or detector / direction / homographies /
 *               reading; see Localizer.lastStages)
 *   homography_pairs / _fallbacks / _featuresReused   mean per map: the window's homography pairs,
 *               those that fell back to the identity, frames whose ORB features came from the map before
 *   homography_prepareMs / _describeMs / _fitMs   mean per map: the homographies' time in grey
 *               images, describing the frames not kept, and matching and fitting the pairs
 *   numTensors / heapMB at the start and the end of the run (memory figure)
 * Run length: 8 s per backend with --quick, 60 s otherwise (EGOSOUND_LIVE_SECONDS overrides,
 * e.g. 600 for the 10-minute memory figure; EGOSOUND_LIVE_BACKENDS=wasm limits the backends).
 * Methods: lvs (one frame per map), paper 000's full model and heard (the app's live default for a
 * two-channel mic); the windowed two map a frame of the capture's grid with the 2 s before it as
 * context (9 frames, 8 homographies per map). EGOSOUND_LIVE_METHODS=lvs (or any list) chooses them.
 * EGOSOUND_LIVE_REFINE=none,ecc runs each windowed method with each homography refinement, one
 * after the other in the same page (default: the app's, none; the record's `refine` says which).
 * EGOSOUND_LIVE_NEW=2,all runs the heard-object methods with each bound on the frames a map may
 * add (LIVE_NEW_FRAMES; `all`: no bound), likewise (the record's `newFrames`; null for the others).
 */
import type { BenchRecord, BenchSuite } from '../types';
import { EngineClient } from '../../workers/client';
import { FrameRing, PcmRing } from '../../engine/media/ring';
import { isRefinement } from '../../engine/geometry/config';
import { LIVE_NEW_FRAMES, LIVE_REFINE, LiveLocalizer, type LiveSource } from '../../app/media/liveLocalize';
import { METHODS, isMethodName, type MethodName } from '../../engine/pipeline/localizer';

const FPS = 8;

class ClipAsCamera implements LiveSource {
  readonly frames = new FrameRing(32, 224, 224);
  readonly audio = new PcmRing(2, 4 * 16000, 16000);
  running = false;
  epochMs = 0;
  /** The decoded track's channels and the largest |left - right| (0: one signal twice). */
  channels = 0;
  leftRight = 0;
  /** Index of the first sample where the channels differ (-1: nowhere). */
  firstDifferent = 0;
  private timer = 0;
  private video = document.createElement('video');

  async start(): Promise<void> {
    const v = this.video;
    v.src = '/demo/demo.webm';
    v.loop = true;
    v.muted = true;
    await v.play();
    const raw = await (await fetch('/demo/demo.webm')).arrayBuffer();
    const ctx = new OfflineAudioContext(2, 16000, 16000);
    const pcm = await ctx.decodeAudioData(raw);
    const l = pcm.getChannelData(0), r = pcm.numberOfChannels > 1 ? pcm.getChannelData(1) : l;
    this.channels = pcm.numberOfChannels;
    this.leftRight = l.reduce((m, v, i) => Math.max(m, Math.abs(v - r[i])), 0);
    this.firstDifferent = l.findIndex((v, i) => v !== r[i]);
    const c = new OffscreenCanvas(224, 224);
    const g = c.getContext('2d', { willReadFrequently: true })!;
    this.epochMs = performance.now();
    this.running = true;
    let audioPos = 0;
    this.timer = window.setInterval(() => {
      g.drawImage(v, 0, 0, 224, 224);
      this.frames.push(g.getImageData(0, 0, 224, 224).data, (performance.now() - this.epochMs) / 1000);
      const n = 16000 / FPS;
      const a = new Float32Array(n), b = new Float32Array(n);
      for (let i = 0; i < n; i++) { const k = (audioPos + i) % l.length; a[i] = l[k]; b[i] = r[k]; }
      audioPos = (audioPos + n) % l.length;
      this.audio.push([a, b]);
    }, 1000 / FPS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.running = false;
    this.video.pause();
  }
}

const mean = (x: number[]) => x.length ? +(x.reduce((a, b) => a + b, 0) / x.length).toFixed(2) : null;
const heapMB = () => ((performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN) / 2 ** 20;

const bench: BenchSuite = {
  name: 'live',
  async run({ quick }) {
    const seconds = Number(new URLSearchParams(location.search).get('liveSeconds')) || (quick ? 8 : 60);
    const recs: BenchRecord[] = [];
    const only = new URLSearchParams(location.search).get('liveBackends')?.split(',');
    const methods = (new URLSearchParams(location.search).get('liveMethods') ?? 'lvs,full,heard').split(',').filter(isMethodName) as MethodName[];
    const refines = (new URLSearchParams(location.search).get('liveRefine') ?? LIVE_REFINE).split(',').filter(isRefinement);
    // the heard-object methods' new frames per map: a number, or `all` (Infinity, no bound)
    const news = (new URLSearchParams(location.search).get('liveNew') ?? String(LIVE_NEW_FRAMES)).split(',').map((x) => (x === 'all' ? Infinity : Number(x))).filter((x) => x >= 1);
    for (const backend of ['wasm', 'webgpu', 'webgl'] as const) for (const method of methods) for (const refine of method === 'lvs' ? [LIVE_REFINE] : refines) for (const newFrames of METHODS[method].heard ? news : [null]) {
      if (only && !only.includes(backend)) continue;
      const client = EngineClient.createWorker();
      try {
        const st = await client.call('init', { prefer: [backend] }).catch(() => null);
        if (!st || st.backend !== backend) continue;
        await client.call('loadMethod', { method });
        const src = new ClipAsCamera();
        await src.start();
        const lat: number[] = [];
        const eng: number[] = [];
        const hits: number[] = [], dirHits: number[] = [];
        const sent: number[] = [];
        const stages: Record<string, number[]> = {};
        const geo: Record<string, number[]> = {};
        let last = { dropped: 0, maps: 0 };
        const errors: string[] = [];
        const loc = new LiveLocalizer(client, src, method, (_m, s) => { lat.push(s.latencyMs); eng.push(s.engineMs); hits.push(s.cacheHits); dirHits.push(s.directionHits); sent.push(s.windowFrames); for (const [k, v] of Object.entries(s.stages ?? {})) (stages[k] ??= []).push(v); for (const [k, v] of Object.entries(s.geometry ?? {})) (geo[k] ??= []).push(v); last = s; }, (e) => { errors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e)); }, refine, newFrames ?? undefined);
        const t0 = performance.now();
        loc.start();
        // first map compiles shaders and warms caches: count from the second one
        while (lat.length < 1 && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 50));
        lat.length = 0; eng.length = 0; hits.length = 0; dirHits.length = 0; sent.length = 0; for (const k of Object.keys(stages)) delete stages[k]; for (const k of Object.keys(geo)) delete geo[k];
        const maps0 = last.maps, dropped0 = last.dropped;
        const tensors0 = (await client.call('memory', {})).numTensors, heap0 = heapMB();
        const t1 = performance.now();
        await new Promise((r) => setTimeout(r, seconds * 1000));
        const tensors1 = (await client.call('memory', {})).numTensors, heap1 = heapMB();
        await loc.stop();
        src.stop();
        const dur = (performance.now() - t1) / 1000;
        const sorted = [...lat].sort((a, b) => a - b);
        recs.push({
          suite: 'live', name: `live ${method}${method === 'lvs' ? '' : ` refine=${refine}`}${newFrames === null ? '' : ` new=${newFrames === Infinity ? 'all' : newFrames}`} [${backend}]`, method, shape: '1x224x224 @ 8 fps', refine: method === 'lvs' ? null : refine,
          newFrames: newFrames === null ? null : newFrames === Infinity ? 'all' : newFrames,
          ms: eng.reduce((a, b) => a + b, 0) / Math.max(1, eng.length),
          fps: (last.maps - maps0) / dur,
          latencyMs: lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length),
          latencyP95Ms: sorted[Math.floor(0.95 * (sorted.length - 1))] ?? null,
          dropped: Math.max(0, last.dropped - dropped0),
          windowFrames: mean(sent),
          cacheHits: mean(hits),
          directionReused: mean(dirHits),
          ...Object.fromEntries(Object.entries(stages).map(([k, v]) => [`stageMs_${k}`, mean(v)])),
          ...Object.fromEntries(Object.entries(geo).map(([k, v]) => [`homography_${k}`, mean(v)])),
          seconds: +dur.toFixed(1),
          numTensorsStart: tensors0, numTensorsEnd: tensors1,
          heapMBStart: +heap0.toFixed(1), heapMBEnd: +heap1.toFixed(1),
          backend, adapter: st.adapter ?? null,
          // what the localizer reported (each kind of failure once): a run without maps says why
          error: errors.length ? errors.join('; ') : null,
          audioChannels: src.channels, maxLeftMinusRight: +src.leftRight.toFixed(4), firstDifferentSample: src.firstDifferent,
        });
      } finally {
        client.terminate?.();
      }
    }
    return recs;
  },
};
export default bench;
