import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Generates the test media (the web server command builds the app). */
export default async function globalSetup(): Promise<void> {
  if (existsSync('tools/make-test-media.ts')) {
    execFileSync('npx', ['tsx', 'tools/make-test-media.ts', '--out', '.cache/test-media'], { stdio: 'inherit' });
  }
}
