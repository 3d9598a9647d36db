// Adds up vitest's and Playwright's JSON reports into the plain closing line CI reads.
import { readFileSync, existsSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
const [vitestFile, pwFile, stepsFailed] = process.argv.slice(2);
// Steps that are not test runners (the type check) count as one failed test each.
failed += Number(stepsFailed ?? 0) || 0;
if (existsSync(vitestFile)) {
  const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  if (!v.success && (v.numFailedTests ?? 0) === 0) failed += 1; // a suite that failed to load
} else failed += 1;
if (existsSync(pwFile)) {
  const p = JSON.parse(readFileSync(pwFile, 'utf8'));
  const s = p.stats ?? {};
  passed += s.expected ?? 0;
  failed += (s.unexpected ?? 0) + (s.flaky ?? 0);
  skipped += s.skipped ?? 0;
  for (const e of p.errors ?? []) { failed += 1; console.error('playwright:', e.message ?? e); }
} else failed += 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
