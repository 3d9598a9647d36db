/**
 * The ground truth of a frame of the synthetic benchmark (docs/dataset.md, meta.json format
 * `egosound-synth/1`): the boxes of the visible on-screen sounding objects whose source is active
 * in the frame's 1-s segment. Shared by the evaluation (tools/eval.ts), the training tools, the
 * map scorer (tools/score-maps.ts) and the e2e tests. No I/O here.
 */
import type { Box } from './metrics';

export interface ClipObjectFrame { instanceId: number; sounding: boolean; visible: boolean; box: [number, number, number, number]; maskArea: number; boxArea: number }
export interface ClipMeta {
  clipId: string;
  split: string;
  config: { width: number; height: number; fps: number; seconds: number; frames: number; monoRate: number };
  knobs: { motion: number; motionPxPerFrame: number; snrDb: number | null; snrMonoDb: number | null; soundingMaskAreaMean: number; offscreen: boolean; hardNegative: boolean; distractors: number };
  objects?: { instanceId: number; classLabel: string; sounding: boolean }[];
  sources: { sourceId: string; instanceId: number | null; onScreen: boolean; activeSegments: boolean[]; recordingId?: string | null }[];
  frames: { index: number; time: number; image: string; objects: ClipObjectFrame[]; sources: { sourceId: string; activeInSegment: boolean }[] }[];
}

/** The objects of frame `index` that make its ground truth: visible, sounding, their source active in the frame's segment. */
function groundTruthObjects(meta: ClipMeta, index: number): ClipObjectFrame[] {
  const f = meta.frames[index];
  const active = new Set(f.sources.filter((s) => s.activeInSegment).map((s) => s.sourceId));
  return f.objects.filter((o) => {
    if (!o.sounding || !o.visible) return false;
    const src = meta.sources.find((s) => s.instanceId === o.instanceId);
    return !!src && active.has(src.sourceId);
  });
}

const toBox = (o: ClipObjectFrame): Box => ({ x0: o.box[0], y0: o.box[1], x1: o.box[2] + 1, y1: o.box[3] + 1 });

/** Sounding boxes of frame `index` (half-open pixel boxes) and their summed area (fraction of the frame). */
export function soundingBoxes(meta: ClipMeta, index: number): { boxes: Box[]; area: number } {
  const gt = groundTruthObjects(meta, index);
  return { boxes: gt.map(toBox), area: gt.reduce((a, o) => a + o.boxArea, 0) };
}

/**
 * The ground truth's look-alikes: the boxes of every visible object of frame `index` whose class
 * is that of a ground-truth sounding object (those objects included; with the generator's hard
 * negatives, a silent copy of the sounding photo). Empty when the frame has no ground truth; the
 * ground truth alone when meta.json lists no object classes.
 */
export function lookAlikeBoxes(meta: ClipMeta, index: number): Box[] {
  const gt = groundTruthObjects(meta, index);
  if (!gt.length || !meta.objects) return gt.map(toBox);
  const classOf = new Map(meta.objects.map((o) => [o.instanceId, o.classLabel]));
  const gtClasses = new Set(gt.map((o) => classOf.get(o.instanceId)));
  return meta.frames[index].objects.filter((o) => o.visible && classOf.has(o.instanceId) && gtClasses.has(classOf.get(o.instanceId))).map(toBox);
}
