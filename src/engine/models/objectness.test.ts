/** The detector's objectness (src/engine/models/objectness.ts): its reductions to the 14x14 grid and the shipped weights on a real frame. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { boxCells, cellMax, coverCells, detect, DETECTOR_FRAME, frameObjectness, loadObjectness, OBJECTNESS_ID } from './objectness';
import { readShippedManifest, shippedModelsFetcher } from '../testing/shipped-models';
import { WeightsIntegrityError } from '../errors';
import type { ModelEntry } from '../weights/verify';
import type { ClipMeta } from '../eval/truth';

describe('cellMax', () => {
  it('takes the maximum over the pixels of each cell, cells split at floor(k * size / cells)', () => {
    const heat = new Float32Array(128 * 128);
    heat[0] = 0.2;
    heat[8 * 128 + 8] = 0.9; // cell 0 spans pixels 0..8 (edge(1) = floor(128 / 14) = 9)
    heat[9 * 128 + 9] = 0.7; // the first pixel of cell (1, 1)
    heat[127 * 128 + 127] = 0.4; // the last cell
    const cells = cellMax(heat, 128);
    expect(cells).toHaveLength(196);
    expect(cells[0]).toBeCloseTo(0.9, 6);
    expect(cells[1 * 14 + 1]).toBeCloseTo(0.7, 6);
    expect(cells[195]).toBeCloseTo(0.4, 6);
    expect(cells.filter((v) => v > 0)).toHaveLength(3);
  });

  it('works for any grid, every pixel in exactly one cell', () => {
    const heat = Float32Array.from({ length: 16 }, (_, i) => i / 16);
    expect(Array.from(cellMax(heat, 4, 2))).toEqual([5 / 16, 7 / 16, 13 / 16, 15 / 16]);
    expect(Array.from(cellMax(heat, 4, 4))).toEqual(Array.from(heat));
  });
});

describe('boxCells', () => {
  it('paints each box with its score times the covered share of a cell, keeping the larger', () => {
    // 224 / 14 = 16-pixel cells; a box over cell (0, 0) exactly and half of cell (1, 0)
    const cells = boxCells([{ box: [0, 0, 24, 16], score: 0.8, cls: 0 }]);
    expect(cells[0]).toBeCloseTo(0.8, 6);
    expect(cells[1]).toBeCloseTo(0.4, 6);
    expect(cells[2]).toBe(0);
    expect(cells[14]).toBe(0);
    const two = boxCells([{ box: [0, 0, 16, 16], score: 0.3, cls: 1 }, { box: [0, 0, 8, 16], score: 0.9, cls: 2 }]);
    expect(two[0]).toBeCloseTo(0.45, 6);
    expect(boxCells([]).every((v) => v === 0)).toBe(true);
  });

  it('clips boxes that reach past the frame', () => {
    const cells = boxCells([{ box: [-40, 200, 16, 300], score: 1, cls: 0 }]);
    expect(cells[13 * 14]).toBeCloseTo(1, 6); // rows 208..223 of column 0 are covered
    expect(cells[12 * 14]).toBeCloseTo(0.5, 6); // 200..207 of 192..207
    expect(cells.reduce((a, b) => a + b, 0)).toBeCloseTo(1.5, 5);
  });
});

describe('coverCells', () => {
  it('gives each cell the largest weight x covered share over half-open boxes', () => {
    const c = coverCells([{ box: [0, 0, 10, 5], weight: 1 }, { box: [5, 0, 10, 10], weight: 0.5 }], 20, 20, 2);
    expect(Array.from(c)).toEqual([0.5, 0, 0, 0]);
    expect(coverCells([{ box: [10, 10, 20, 20], weight: 0.3 }], 20, 20, 2)[3]).toBeCloseTo(0.3, 6);
  });
});

describe('shipped detector (models/objectness-centernet)', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });
  const manifest = readShippedManifest();

  it('is the package file byte for byte, loads through the sha256 check and refuses a changed bit', async () => {
    const entry = manifest.models.find((m) => m.id === OBJECTNESS_ID) as (ModelEntry & { source: { package: string; licence: string; sha256: Record<string, string> } }) | undefined;
    expect(entry, 'models/manifest.json lists objectness-centernet').toBeDefined();
    expect(entry!.source.licence).toBe('MIT');
    expect(entry!.config.frameSide, 'the manifest states the side the code shows the frame at').toBe(DETECTOR_FRAME);
    expect(entry!.files.find((f) => f.path.endsWith('weights.bin'))!.sha256).toBe(entry!.source.sha256['models/centernet.bin']);
    await expect(loadObjectness(manifest, 'http://app/models/', { fetcher: shippedModelsFetcher(true) })).rejects.toBeInstanceOf(WeightsIntegrityError);
  });

  it('finds the demo clip\'s sheep where its box is, and nothing in a grey frame', async () => {
    const { model } = await loadObjectness(manifest, 'http://app/models/', { fetcher: shippedModelsFetcher(false) });
    const meta = JSON.parse(readFileSync('public/demo/demo.meta.json', 'utf8')) as ClipMeta;
    const fi = 10;
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-ss', String(meta.frames[fi].time), '-i', 'public/demo/demo.webm', '-frames:v', '1', '-vf', 'scale=224:224', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    const rgb = Float32Array.from(raw, (v) => v / 255);
    const sheep = meta.frames[fi].objects.find((o) => o.visible && meta.objects!.find((x) => x.instanceId === o.instanceId)!.classLabel === 'sheep')!;
    const sx = 224 / meta.config.width, sy = 224 / meta.config.height;
    const want: [number, number, number, number] = [sheep.box[0] * sx, sheep.box[1] * sy, (sheep.box[2] + 1) * sx, (sheep.box[3] + 1) * sy];
    const { detections } = await detect(model, rgb);
    expect(detections).toHaveLength(100);
    const top = detections.reduce((a, d) => (d.score > a.score ? d : a));
    const iou = (a: number[], b: number[]) => {
      const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])), iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
      return (ix * iy) / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy);
    };
    expect(top.score).toBeGreaterThan(0.3);
    expect(iou(top.box, want)).toBeGreaterThan(0.6);
    const { heat, boxes } = await frameObjectness(model, rgb);
    const peak = heat.indexOf(Math.max(...heat));
    const [px, py] = [((peak % 14) + 0.5) * 16, (Math.floor(peak / 14) + 0.5) * 16];
    expect(px > want[0] && px < want[2] && py > want[1] && py < want[3], `heat peaks at cell ${peak}, inside the sheep`).toBe(true);
    expect(Math.max(...boxes)).toBeGreaterThan(0.3);
    // the frame shown over the whole input (512) finds the same sheep: the smaller frame's boxes and heat are mapped back to the frame
    const whole = await detect(model, rgb, 512);
    expect(whole.heat).toHaveLength(128 * 128);
    const small = await detect(model, rgb);
    expect(small.heat).toHaveLength((DETECTOR_FRAME / 4) ** 2);
    const wholeTop = whole.detections.reduce((a, d) => (d.score > a.score ? d : a));
    expect(iou(wholeTop.box, want)).toBeGreaterThan(0.6);
    expect(iou(wholeTop.box, top.box), 'the two sides box the sheep alike').toBeGreaterThan(0.8);
    expect(small.detections.every((d) => d.box.every((v) => v >= 0 && v <= 224)), 'boxes are clipped to the frame').toBe(true);
    for (const bad of [0, 500, 513, 510]) await expect(detect(model, rgb, bad), `side ${bad}`).rejects.toThrow(RangeError);
    const grey = await frameObjectness(model, new Float32Array(224 * 224 * 3).fill(0.5));
    expect(Math.max(...grey.heat)).toBeLessThan(0.05);
    expect(Math.max(...grey.boxes)).toBeLessThan(0.05);
    model.dispose();
  }, 240_000); // four detector passes on the cpu backend
});
