/**
 * Ring buffers for live capture: the last N seconds of frames and of PCM, in preallocated
 * storage (no allocation per frame or per audio block, so memory stays flat over long runs).
 */
export class FrameRing {
  readonly capacity: number;
  readonly frameBytes: number;
  private readonly store: Uint8ClampedArray;
  private readonly times: Float64Array;
  private head = 0; // next slot to write
  private count = 0;
  private written = 0;

  constructor(capacity: number, readonly width: number, readonly height: number) {
    if (!(capacity >= 1 && Number.isInteger(capacity))) throw new RangeError(`capacity must be a positive integer (got ${capacity})`);
    this.capacity = capacity;
    this.frameBytes = width * height * 4;
    this.store = new Uint8ClampedArray(capacity * this.frameBytes);
    this.times = new Float64Array(capacity);
  }

  /** Copies one RGBA frame (width*height*4 bytes) taken at `time` seconds. */
  push(rgba: Uint8ClampedArray | Uint8Array, time: number): void {
    if (rgba.length !== this.frameBytes) throw new RangeError(`frame has ${rgba.length} bytes, ring expects ${this.frameBytes}`);
    this.store.set(rgba, this.head * this.frameBytes);
    this.times[this.head] = time;
    this.head = (this.head + 1) % this.capacity;
    this.count = Math.min(this.capacity, this.count + 1);
    this.written++;
  }

  get size(): number { return this.count; }
  get totalWritten(): number { return this.written; }

  /** The k-th newest frame (k = 0 is the latest), as a view into the ring (copy it to keep it). */
  peek(k: number): { data: Uint8ClampedArray; time: number } {
    if (k < 0 || k >= this.count) throw new RangeError(`no frame ${k} (have ${this.count})`);
    const slot = (this.head - 1 - k + this.capacity) % this.capacity;
    return { data: this.store.subarray(slot * this.frameBytes, (slot + 1) * this.frameBytes), time: this.times[slot] };
  }

  /** The newest n frames, oldest first, copied out. */
  latest(n: number): { frames: Uint8ClampedArray[]; times: number[] } {
    const m = Math.min(n, this.count);
    const frames: Uint8ClampedArray[] = [];
    const times: number[] = [];
    for (let k = m - 1; k >= 0; k--) {
      const f = this.peek(k);
      frames.push(f.data.slice());
      times.push(f.time);
    }
    return { frames, times };
  }

  clear(): void { this.head = 0; this.count = 0; }
}

export class PcmRing {
  private readonly data: Float32Array[];
  private head = 0;
  private filled = 0;
  private written = 0;

  constructor(readonly channels: number, readonly capacity: number, readonly sampleRate: number) {
    if (channels < 1 || capacity < 1) throw new RangeError('channels and capacity must be >= 1');
    this.data = Array.from({ length: channels }, () => new Float32Array(capacity));
  }

  /** Appends a block (one array per channel, equal lengths); old samples are overwritten. */
  push(block: Float32Array[]): void {
    if (block.length !== this.channels) throw new RangeError(`block has ${block.length} channels, ring has ${this.channels}`);
    const n = block[0].length;
    const src0 = Math.max(0, n - this.capacity); // a block longer than the ring keeps its tail
    for (let c = 0; c < this.channels; c++) {
      const src = block[c];
      let w = (this.head + src0) % this.capacity;
      let i = src0;
      while (i < n) {
        const run = Math.min(n - i, this.capacity - w);
        this.data[c].set(src.subarray(i, i + run), w);
        i += run;
        w = (w + run) % this.capacity;
      }
    }
    this.head = (this.head + n) % this.capacity;
    this.filled = Math.min(this.capacity, this.filled + n);
    this.written += n;
  }

  get size(): number { return this.filled; }
  get totalWritten(): number { return this.written; }
  get seconds(): number { return this.filled / this.sampleRate; }

  /** The newest n samples per channel, oldest first (copied). */
  latest(n: number): Float32Array[] {
    const m = Math.min(n, this.filled);
    return this.data.map((ch) => {
      const out = new Float32Array(m);
      const start = (this.head - m + this.capacity) % this.capacity;
      const first = Math.min(m, this.capacity - start);
      out.set(ch.subarray(start, start + first), 0);
      if (first < m) out.set(ch.subarray(0, m - first), first);
      return out;
    });
  }

  /**
   * Samples [from, to) of the stream per channel, by absolute index (0: the first sample pushed;
   * totalWritten: the next one), copied; zeros where the ring does not hold them (overwritten,
   * cleared, or not written yet).
   */
  range(from: number, to: number): Float32Array[] {
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new RangeError(`sample indices must be whole numbers (got ${from}, ${to})`);
    const n = Math.max(0, to - from);
    const lo = Math.max(from, this.written - this.filled), hi = Math.min(to, this.written);
    return this.data.map((ch) => {
      const out = new Float32Array(n);
      for (let i = lo; i < hi; i++) out[i - from] = ch[(((this.head - (this.written - i)) % this.capacity) + this.capacity) % this.capacity];
      return out;
    });
  }

  clear(): void { this.head = 0; this.filled = 0; }
}
