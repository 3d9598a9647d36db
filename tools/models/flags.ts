/** `--key value` / `--switch` command-line flags shared by the training tools. */
export type Flags = Map<string, string | true>;

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) { flags.set(a.slice(2), next); i++; } else flags.set(a.slice(2), true);
  }
  return flags;
}

/** Readers with defaults: str(k, d) and num(k, d) (a non-number is an error naming the flag). */
export function flagReaders(flags: Flags): { str: (k: string, d: string) => string; num: (k: string, d: number) => number } {
  const str = (k: string, d: string) => { const v = flags.get(k); return typeof v === 'string' ? v : d; };
  const num = (k: string, d: number) => { const v = flags.has(k) ? Number(str(k, '')) : d; if (Number.isNaN(v)) throw new Error(`--${k} needs a number`); return v; };
  return { str, num };
}

/** --shard i/n (default 0/1): this process takes every n-th item from the i-th; anything else is an error naming the flag. */
export function shardFlag(str: (k: string, d: string) => string): { i: number; n: number; mine: (k: number) => boolean } {
  const [i, n] = str('shard', '0/1').split('/').map(Number);
  if (!(Number.isInteger(i) && Number.isInteger(n) && n >= 1 && i >= 0 && i < n)) throw new Error('--shard must be i/n with 0 <= i < n');
  return { i, n, mine: (k) => k % n === i };
}
