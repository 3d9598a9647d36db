/**
 * Fills the detector's cache (tools/models/centernet.ts: heat, boxes and detections) for the grid frames of a split's
 * clips ahead of a trainer, a probe or the eval, which otherwise fill it as they go on one core.
 * --shard i/n takes every n-th clip from the i-th, so n processes fill one split side by side.
 * --kind heat (the default: what the trainer reads) runs the detector only on clips without heat and
 * boxes; --kind detections (what the eval and probe-heard-time --extent read) also on clips cached
 * before the detections were. One detector pass writes all three.
 *
 * --detector-frame N: the frame's side in the detector's input (objectness.ts DETECTOR_FRAME, what the pipeline
 * and the eval use, unless given; give 512 for the heard trainer's inputs, train-heard.ts TRAIN_DETECTOR_FRAME).
 *
 *   npx tsx tools/models/warm-objectness.ts --data .cache/synth --split train [--shard 0/2] [--kind heat|detections] [--detector-frame N]
 */
import { listClips, useWasm } from './data.ts';
import { clipObjectness } from './centernet.ts';
import { gridFrames } from './train-heard.ts';
import { flagReaders, parseFlags, shardFlag } from './flags.ts';
import { DETECTOR_FRAME } from '../../src/engine/models/objectness.ts';

const { str, num } = flagReaders(parseFlags(process.argv.slice(2)));
const shard = shardFlag(str);
const kind = str('kind', 'heat');
if (kind !== 'heat' && kind !== 'detections') throw new Error('--kind must be heat or detections');
await useWasm();
const clips = listClips(str('data', '.cache/synth'), str('split', 'train')).filter((_, k) => shard.mine(k));
const t0 = Date.now();
for (const [k, c] of clips.entries()) {
  await clipObjectness(c, gridFrames(c), kind, num('detector-frame', DETECTOR_FRAME));
  if ((k + 1) % 25 === 0 || k + 1 === clips.length) console.log(`${k + 1} / ${clips.length} clips (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
