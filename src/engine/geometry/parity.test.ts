import { describe, expect, it } from 'vitest';
import { loadOpenCV } from './opencv';
import { loadTestPhotos as loadTestPhotosNode } from './testPhotosNode';
import { compareParity, parityRecords, type ParityRecord } from './parity';
import fixture from './fixtures/parity.json';

describe('Node side of the Node/Chromium parity fixture', () => {
  it('reproduces fixtures/parity.json (the harness suite checks the same file in Chromium)', async () => {
    const { cv } = await loadOpenCV();
    const got = parityRecords(cv, await loadTestPhotosNode());
    const diffs = compareParity(got, fixture as ParityRecord[]);
    expect(diffs.slice(0, 5), `${diffs.length} differences; regenerate with npx tsx tools/geometry/make-parity.ts if the pipeline changed on purpose`).toEqual([]);
  });
});
