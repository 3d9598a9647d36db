import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreMaps } from './score-maps';

const run = (args: string[]) => spawnSync('npx', ['tsx', 'tools/localize.ts', ...args], { encoding: 'utf8' });

describe('npm run localize', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egosound-localize-'));

  it("writes one 14x14 map per frame of the demo clip, with the model, params and a result hash; paper 000's maps find the sounding object", () => {
    const out = join(dir, 'full.json');
    const r = run(['public/demo/demo.webm', '--out', out, '--method', 'full']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.model.id).toBe('ego000-synth');
    expect(j.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.params).toMatchObject({ method: 'full', fps: 8, aspect: 'squash', audioRate: 11025, refine: 'none' });
    expect(j.frames).toHaveLength(40);
    expect(j.frames[8]).toMatchObject({ index: 8, time: 1, width: 14, height: 14 });
    expect(j.frames[8].map).toHaveLength(196);
    expect(new Set(j.frames[8].map).size).toBeGreaterThan(50); // a real map, not a constant
    expect(j.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(j.resultHashGrids).toHaveLength(40);
    // scored against the clip's ground truth (a training-split clip: docs/results.md)
    const score = scoreMaps(j, JSON.parse(readFileSync('public/demo/demo.meta.json', 'utf8')));
    expect(score.method.n).toBe(32);
    expect(score.method.pointing).toBeGreaterThan(0.75);
    expect(score.centre.pointing).toBeLessThan(0.25);
    // the same run on the plain CPU backend: different float details, the same hash
    const cpu = join(dir, 'cpu.json');
    const r2 = run(['public/demo/demo.webm', '--out', cpu, '--backend', 'cpu', '--fps', '1', '--method', 'full']);
    const r3 = run(['public/demo/demo.webm', '--out', join(dir, 'wasm2.json'), '--fps', '1', '--method', 'full']);
    expect(r2.status, r2.stderr).toBe(0);
    expect(r3.status, r3.stderr).toBe(0);
    expect(JSON.parse(readFileSync(cpu, 'utf8')).resultHash).toBe(JSON.parse(readFileSync(join(dir, 'wasm2.json'), 'utf8')).resultHash);
    // --refine ecc: the windows' homographies refined as before 2026-12-07, so other maps (and hash)
    const r4 = run(['public/demo/demo.webm', '--out', join(dir, 'ecc.json'), '--fps', '1', '--method', 'full', '--refine', 'ecc']);
    expect(r4.status, r4.stderr).toBe(0);
    const ecc = JSON.parse(readFileSync(join(dir, 'ecc.json'), 'utf8'));
    expect(ecc.params.refine).toBe('ecc');
    expect(ecc.resultHash).not.toBe(JSON.parse(readFileSync(join(dir, 'wasm2.json'), 'utf8')).resultHash);
  }, 240_000);

  it('heard: the demo clip\'s two channels pick the sounding object among the detector\'s; a mono file gets the reason instead of maps', () => {
    const out = join(dir, 'heard.json');
    const r = run(['public/demo/demo.webm', '--out', out, '--method', 'heard']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.models.map((m: { id: string }) => m.id)).toEqual(['objectness-centernet', 'heard-synth']);
    expect(j.params).toMatchObject({ method: 'heard', audioRate: 16000, audioChannels: 2, detectorFrame: 392 });
    expect(j.frames).toHaveLength(40);
    const score = scoreMaps(j, JSON.parse(readFileSync('public/demo/demo.meta.json', 'utf8')));
    expect(score.method.n).toBe(32);
    expect(score.method.pointing).toBeGreaterThan(0.75);
    expect(score.method.pixelAP).toBeGreaterThan(score.centre.pixelAP);
    // one channel (ffmpeg hands it over as two copies): no direction, said in words, exit 2
    const mono = join(dir, 'mono.webm');
    const f = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=8:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-ac', '1', '-c:v', 'libvpx', '-c:a', 'libopus', '-shortest', '-y', mono]);
    expect(f.status, f.stderr?.toString()).toBe(0);
    const m = run([mono, '--out', join(dir, 'm.json'), '--method', 'heard']);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/takes two channels/);
    expect(m.stderr).toMatch(/Choose another method/);
    // no --method: the same choice as the app's (two distinct channels: heard; one: paper 000's full model)
    const autoDemo = run(['public/demo/demo.webm', '--out', join(dir, 'auto.json'), '--fps', '2']);
    expect(autoDemo.status, autoDemo.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'auto.json'), 'utf8')).params).toMatchObject({ method: 'heard', audioChannels: 2 });
    // --detector-frame 512: the frame filling the detector's input, as before 2026-12-07, so other maps (and hash)
    const whole = run(['public/demo/demo.webm', '--out', join(dir, 'det512.json'), '--fps', '2', '--method', 'heard', '--detector-frame', '512']);
    expect(whole.status, whole.stderr).toBe(0);
    const w512 = JSON.parse(readFileSync(join(dir, 'det512.json'), 'utf8'));
    expect(w512.params.detectorFrame).toBe(512);
    expect(w512.resultHash).not.toBe(JSON.parse(readFileSync(join(dir, 'auto.json'), 'utf8')).resultHash);
    const bad = run(['public/demo/demo.webm', '--out', join(dir, 'bad.json'), '--method', 'heard', '--detector-frame', '500']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--detector-frame must be a multiple of 8/);
    const autoMono = run([mono, '--out', join(dir, 'auto-mono.json')]);
    expect(autoMono.status, autoMono.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'auto-mono.json'), 'utf8')).params).toMatchObject({ method: 'full', audioChannels: 1 });
  }, 240_000);

  it('says what is wrong: no audio track, not a video, bad flags', () => {
    const silent = join(dir, 'silent.webm');
    const f = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=8:duration=1', '-c:v', 'libvpx', '-y', silent]);
    expect(f.status).toBe(0);
    let r = run([silent, '--out', join(dir, 'x.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no audio track/);
    r = run([silent, '--out', join(dir, 'c.json'), '--method', 'centre']);
    expect(r.status, r.stderr).toBe(0);
    r = run(['package.json', '--out', join(dir, 'y.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/could not|no video frames/);
    r = run(['public/demo/demo.webm', '--out', join(dir, 'z.json'), '--method', 'magic']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--method must be one of/);
    r = run(['public/demo/demo.webm', '--out', join(dir, 'z.json'), '--refine', 'fast']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--refine must be none or ecc/);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
