/**
 * The trainers' same-sound rules (tools/models/data.ts): a batch without two clips of the same
 * recording (--distinct-sounds, for closed-vocabulary data) and the wrong-sound control's choice
 * of another clip.
 */
import { describe, expect, it } from 'vitest';
import { type Clip, distinctSoundBatch, mulberry, objectCover, otherSoundClip, recordingsOf } from './data.ts';

/** A clip with sounding objects playing `objects` and an off-screen source playing `offscreen`. */
function clip(id: string, objects: string[], offscreen?: string): Clip {
  const sources = [
    ...objects.map((r, i) => ({ sourceId: `obj${i + 1}`, instanceId: i + 1, onScreen: true, activeSegments: [true], recordingId: r })),
    ...(offscreen ? [{ sourceId: 'offscreen', instanceId: null, onScreen: false, activeSegments: [true], recordingId: offscreen }] : []),
  ];
  return { dir: `/nowhere/${id}`, meta: { clipId: id, sources } as unknown as Clip['meta'] };
}

describe('recordings and the wrong-sound control', () => {
  const clips = [clip('a', ['dog']), clip('b', ['dog']), clip('c', ['cat'], 'dog'), clip('d', ['bee', 'cow']), clip('e', ['dog'])];

  it('names the recordings of the sounding objects, or of every source', () => {
    expect(recordingsOf(clips[2], 'objects')).toEqual(['cat']);
    expect(recordingsOf(clips[2], 'all')).toEqual(['cat', 'dog']);
    expect(recordingsOf(clips[3], 'objects')).toEqual(['bee', 'cow']);
  });

  it('takes the next clip whose mix holds none of the own sounding recordings', () => {
    // a: b plays the dog on screen, c off screen; d is the first without it
    expect(otherSoundClip(clips, 0)).toBe(3);
    expect(otherSoundClip(clips, 1)).toBe(3);
    // c (cat): d is next and plays no cat
    expect(otherSoundClip(clips, 2)).toBe(3);
    // e (dog) wraps around: a and b play the dog on screen, c off screen; d does not
    expect(otherSoundClip(clips, 4)).toBe(3);
    expect(otherSoundClip(clips, 3)).toBe(4);
    expect(otherSoundClip([clip('x', ['dog']), clip('y', ['dog'])], 0)).toBeNull();
  });
});

describe('distinctSoundBatch', () => {
  it('never puts two clips of one recording in a batch while others are left', () => {
    // 40 clips over 10 recordings (4 each), one in four with a second sounding object
    const recs = Array.from({ length: 40 }, (_, c) => (c % 4 === 3 ? [`r${c % 10}`, `r${(c + 3) % 10}`] : [`r${c % 10}`]));
    const rand = mulberry(7);
    for (let step = 0; step < 50; step++) {
      const pick = Array.from({ length: 40 }, (_, i) => i);
      for (let i = pick.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [pick[i], pick[j]] = [pick[j], pick[i]]; }
      const { inBatch, rest } = distinctSoundBatch(pick, 6, recs, rand);
      expect(inBatch).toHaveLength(6);
      const heard = inBatch.flatMap((c) => recs[c]);
      expect(new Set(heard).size).toBe(heard.length);
      expect([...inBatch, ...rest].sort((a, b) => a - b)).toEqual(pick.slice().sort((a, b) => a - b));
    }
  });

  it('keeps the first clips of the order when they already differ, and tops up when it must', () => {
    const recs = [['a'], ['b'], ['c'], ['a'], ['a']];
    expect(distinctSoundBatch([0, 1, 2, 3, 4], 3, recs, mulberry(1)).inBatch).toEqual([0, 1, 2]);
    // only two recordings among the clips: a batch of 3 must repeat one
    const two = [['a'], ['a'], ['b'], ['a']];
    const { inBatch } = distinctSoundBatch([0, 1, 2, 3], 3, two, mulberry(1));
    expect(inBatch).toHaveLength(3);
    expect(inBatch.slice(0, 2).sort()).toEqual([0, 2]);
  });
});

describe('objectCover (the oracle objectness of probe-ground)', () => {
  /** A 28x28 frame whose one frame holds the given objects. */
  const frameClip = (objects: { box: [number, number, number, number]; visible: boolean }[]) => ({
    dir: '/nowhere/f', meta: { clipId: 'f', config: { width: 28, height: 28 }, frames: [{ objects }] },
  }) as unknown as Clip;

  it('gives each cell of the grid the share covered by a visible box', () => {
    // inclusive box x 0..3, y 2..3 on a 14x14 grid of 2x2-pixel cells: cells (x 0-1, y 1) full
    const cover = objectCover(frameClip([{ box: [0, 2, 3, 3], visible: true }]), 0);
    expect(cover[1 * 14 + 0]).toBe(1);
    expect(cover[1 * 14 + 1]).toBe(1);
    expect(cover[1 * 14 + 2]).toBe(0);
    expect(cover[0]).toBe(0);
    expect(cover.reduce((a, b) => a + b, 0)).toBe(2);
    // a box ending mid-cell covers half of it
    const half = objectCover(frameClip([{ box: [0, 0, 2, 1], visible: true }]), 0);
    expect(half[0]).toBe(1);
    expect(half[1]).toBe(0.5);
  });

  it('ignores hidden objects and keeps the larger share where boxes overlap', () => {
    expect(objectCover(frameClip([{ box: [0, 0, 27, 27], visible: false }]), 0).every((v) => v === 0)).toBe(true);
    const two = objectCover(frameClip([{ box: [0, 0, 0, 1], visible: true }, { box: [0, 0, 1, 0], visible: true }]), 0, 14);
    expect(two[0]).toBe(0.5);
  });
});
