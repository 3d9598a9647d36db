/** Node-side helpers for tests of the weights shipped in models/: the manifest, and a fetcher over the folder. */
import { readFileSync } from 'node:fs';
import type { Manifest } from '../weights/verify';

export const readShippedManifest = (): Manifest => JSON.parse(readFileSync('models/manifest.json', 'utf8')) as Manifest;

/** Serves http://.../models/<path> from models/<path>; `tamper` flips one bit of every .bin file. */
export const shippedModelsFetcher = (tamper: boolean) => async (url: string): Promise<Response> => {
  const path = 'models/' + new URL(url).pathname.replace(/^\/models\//, '');
  const bytes = new Uint8Array(readFileSync(path));
  if (tamper && path.endsWith('.bin')) bytes[100] ^= 1;
  return new Response(bytes);
};
