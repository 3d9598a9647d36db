import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Builds the app once (vite preview serves dist/) and generates the test media. */
export default async function globalSetup(): Promise<void> {
  if (!process.env.EGOSOUND_SKIP_BUILD || !existsSync('dist/index.html')) {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: 'inherit' });
  }
  if (existsSync('tools/make-test-media.ts')) {
    execFileSync('npx', ['tsx', 'tools/make-test-media.ts', '--out', '.cache/test-media'], { stdio: 'inherit' });
  }
}
