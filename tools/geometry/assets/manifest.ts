/**
 * Test photographs for the homography accuracy tests: grey 400x300 PNGs made by
 * tools/geometry/make-assets.ts from the data images that Debian's `python3-skimage`
 * (0.19.3-8) ships under skimage/data/. Source and licence of each, as scikit-image documents
 * them in skimage/data/_fetchers.py.
 */
export const SOURCE_WIDTH = 400;
export const SOURCE_HEIGHT = 300;

export interface PhotoEntry {
  file: string;
  sourceFile: string;
  subject: string;
  author: string;
  licence: string;
}

export const PHOTO_MANIFEST: PhotoEntry[] = [
  { file: 'astronaut.png', sourceFile: 'astronaut.png', subject: 'astronaut Eileen Collins (NASA Great Images)', author: 'NASA', licence: 'public domain (no known copyright restrictions)' },
  { file: 'camera.png', sourceFile: 'camera.png', subject: 'man with a camera', author: 'Lav Varshney', licence: 'CC0' },
  { file: 'coffee.png', sourceFile: 'coffee.png', subject: 'coffee cup on a wooden table (Pikolo Espresso Bar)', author: 'Rachel Michetti', licence: 'CC0' },
  { file: 'chelsea.png', sourceFile: 'chelsea.png', subject: 'cat (Chelsea)', author: 'Stefan van der Walt', licence: 'CC0' },
  { file: 'coins.png', sourceFile: 'coins.png', subject: 'Greek coins (Brooklyn Museum collection)', author: 'Brooklyn Museum', licence: 'no known copyright restrictions' },
  { file: 'brick.png', sourceFile: 'brick.png', subject: 'brick wall (CC0Textures Bricks25)', author: 'CC0Textures', licence: 'CC0' },
  { file: 'gravel.png', sourceFile: 'gravel.png', subject: 'gravel (CC0Textures Gravel04)', author: 'CC0Textures', licence: 'CC0' },
  { file: 'grass.png', sourceFile: 'grass.png', subject: 'grass (DeviantArt linolafett Grass-01)', author: 'linolafett', licence: 'CC0' },
];
