import type { HarnessSuite } from '../types';
import { dspChecks } from '../../engine/dsp/dsp.checks';

/** The DSP checks of dsp.checks.ts on the GPU backends in Chromium (and WASM). */
const suite: HarnessSuite = {
  name: 'dsp',
  checks: dspChecks.map((c) => ({ name: c.name, backends: ['webgpu', 'webgl', 'wasm'], run: c.run })),
};
export default suite;
