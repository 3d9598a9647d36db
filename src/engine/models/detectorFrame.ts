/**
 * How wide the 224x224 frame is shown inside the object detector's 512x512 input (objectness.ts
 * detect): a light module, so that share links (engine/share/link.ts) and the app can name the
 * side without loading tfjs.
 */

/** The detector's input side (models/objectness-centernet: 512x512). */
export const DETECTOR_INPUT = 512;

/**
 * The side of the frame inside the detector's input (the rest mid-grey): chosen on the 200
 * validation clips among 256-512 (docs/results.md, "The detector on the frame shown smaller").
 */
export const DETECTOR_FRAME = 392;

/** What runs before 2026-12-07 were made with (the frame filling the input): a share link without `det` means it. */
export const LEGACY_DETECTOR_FRAME = 512;

/**
 * A side the detector accepts: in (0, 512], leaving a border of whole heat pixels (the detector's heat
 * map has one pixel per 4 input pixels), that is a multiple of 8.
 */
export function isDetectorFrame(side: unknown): side is number {
  return typeof side === 'number' && Number.isInteger(side) && side > 0 && side <= DETECTOR_INPUT && side % 8 === 0;
}
