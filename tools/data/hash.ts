/** sha256 over a list of files: each relative path and the sha256 of its bytes, in sorted order. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function hashFiles(root: string, rels: string[]): string {
  const h = createHash('sha256');
  for (const r of [...rels].sort()) {
    h.update(r + '\0');
    h.update(createHash('sha256').update(readFileSync(join(root, r))).digest());
  }
  return h.digest('hex');
}
