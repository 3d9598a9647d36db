/**
 * Trains paper 000's model (ego000) on the toy problem of src/engine/testing/ego000-toy.ts and
 * prints, every 20 steps, the grounding loss and the logits that make it: the positive P, the mean
 * easy negative N and the same-image hard negative H per window; then the hits on 8 unseen windows
 * (chance 0.3). A diagnostic for objectives and settings, seconds per run on the CPU.
 *
 *   npx tsx tools/models/toy-ego000.ts [--negatives trimap|mean] [--hard-negative] [--no-enhancement]
 *        [--no-geometry] [--lr 0.01] [--steps 300] [--seeds 1,2,3] [--temperature T]
 *        [--toy classes|ears] [--channels 1|2] [--position] [--ground-on input|clean]
 *
 * --toy ears: the two-ear toy (toyEarsBatch: one class, the sound louder in the ear on the object's
 * side; hits counted on windows with a silent twin, where a model that cannot hear where gets ~4/8);
 * --channels 2 gives the model both ears (else their sum), --position its per-cell vectors.
 *
 * docs/results.md ("the hard-negative plateau") quotes its output.
 */
import * as tf from '@tensorflow/tfjs';
import { toyConfig, trainToy } from '../../src/engine/testing/ego000-toy.ts';

const argv = process.argv.slice(2);
const has = (k: string) => argv.includes(`--${k}`);
const arg = (k: string, d: string) => { const i = argv.indexOf(`--${k}`); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d; };
const negatives = arg('negatives', 'trimap');
if (negatives !== 'trimap' && negatives !== 'mean') throw new Error('--negatives must be trimap or mean');
const steps = Number(arg('steps', '300'));
const lr = Number(arg('lr', '0.01'));
const seeds = arg('seeds', '1').split(',').map(Number);
const objective = { negatives, hardNegative: has('hard-negative'), ...(has('temperature') ? { temperature: Number(arg('temperature', '0.2')) } : {}) } as const;
const toy = arg('toy', 'classes');
if (toy !== 'classes' && toy !== 'ears') throw new Error('--toy must be classes or ears');
const groundOn = arg('ground-on', 'input');
if (groundOn !== 'input' && groundOn !== 'clean') throw new Error('--ground-on must be input or clean');
const channels = Number(arg('channels', '1'));
const base = toyConfig();
const config = toyConfig({
  enhancement: !has('no-enhancement'), objective,
  positionGrid: has('position') ? 5 : 0,
  audioEnhancement: { ...base.audioEnhancement, inputChannels: channels },
});

await tf.setBackend('cpu');
const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
const summary: string[] = [];
for (const seed of seeds) {
  const hits = trainToy({
    config, steps, lr, seed, geometry: !has('no-geometry'), toy, groundOn,
    onStep: (s) => {
      if (s.step % 20 !== 0 && s.step !== steps - 1) return;
      console.log(`seed ${seed} step ${s.step}: ground ${f(s.ground)} enhancement ${f(s.enhancement)}  P ${s.positive.map(f).join(' ')}  N ${s.negative.map(f).join(' ')}  H ${s.hard.map(f).join(' ')}`);
    },
  });
  summary.push(`seed ${seed}: ${hits}/8`);
  console.log(`seed ${seed}: hits ${hits} / 8 (chance 0.3)`);
}
console.log(`${toy === 'ears' ? `ears toy, ${channels} channel(s)${has('position') ? ' + position' : ''}, eq. 2 on the ${groundOn}; ` : ''}${negatives}${objective.hardNegative ? ' + hard negative' : ''}${has('no-enhancement') ? ', no enhancement' : ''}${has('no-geometry') ? ', no geometry' : ''}, lr ${lr}, ${steps} steps: ${summary.join(', ')}`);
