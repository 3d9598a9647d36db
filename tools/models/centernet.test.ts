/** The reductions of CenterNet's outputs to the localizers' 14x14 grid (tools/models/centernet.ts). */
import { describe, expect, it } from 'vitest';
import { boxCells, cellMax } from './centernet.ts';

describe('cellMax', () => {
  it('takes the maximum over the pixels of each cell, cells split at floor(k * size / cells)', () => {
    const heat = new Float32Array(128 * 128);
    heat[0] = 0.2;
    heat[8 * 128 + 8] = 0.9; // cell 0 spans pixels 0..8 (edge(1) = floor(128 / 14) = 9)
    heat[9 * 128 + 9] = 0.7; // the first pixel of cell (1, 1)
    heat[127 * 128 + 127] = 0.4; // the last cell
    const cells = cellMax(heat);
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
