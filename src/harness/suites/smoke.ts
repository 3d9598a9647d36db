import * as tf from '@tensorflow/tfjs';
import type { HarnessSuite } from '../types';

const suite: HarnessSuite = {
  name: 'smoke',
  checks: [
    {
      name: 'matmul matches plain loops',
      backends: ['webgpu', 'webgl', 'wasm'],
      async run() {
        const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
        const b = tf.tensor2d([1, 0, 2, 1, 0, 3], [3, 2]);
        const c = tf.matMul(a, b);
        const got = await c.data();
        tf.dispose([a, b, c]);
        const want = [5, 11, 14, 23]; // rows of a times columns of b
        want.forEach((w, i) => {
          if (Math.abs(got[i] - w) > 1e-5) throw new Error(`c[${i}] = ${got[i]}, want ${w}`);
        });
      },
    },
  ],
};
export default suite;
