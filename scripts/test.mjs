#!/usr/bin/env node
// `npm test`: every check and suite in order, each writing JUnit XML to reports/; then one plain
// "N passed, M failed" line, since the runners print no such line themselves. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// Checks without a test runner count as one test each; suites report their own cases via JUnit.
const STEPS = [
  { script: 'typecheck', check: true },
  { script: 'typecheck:demo', check: true },
  { script: 'build', check: true },
  { script: 'size', check: true },
  { script: 'test:protocol' },
  { script: 'test:mock' },
  { script: 'test:element' },
  { script: 'test:element:webkit' },
  { script: 'test:proxy' },
  { script: 'test:cli' },
  { script: 'test:worker' },
  { script: 'test:redis' },
  { script: 'test:conformance' },
  { script: 'test:element:redis' },
  { script: 'test:packaging' },
  { script: 'test:frameworks' },
  { script: 'test:examples' },
  { script: 'test:e2e' },
  { script: 'test:csp' },
  { script: 'test:static' },
  { script: 'test:faults:short' },
  { script: 'test:faults:redis' },
  { script: 'test:start' },
];

rmSync('reports', { recursive: true, force: true });
mkdirSync('reports', { recursive: true });

let checksPassed = 0;
let checksFailed = 0;
const failedSteps = [];
for (const step of STEPS) {
  if (!pkg.scripts[step.script]) continue;
  console.log(`\n=== npm run ${step.script}`);
  const { status } = spawnSync('npm', ['run', '--silent', step.script], { stdio: 'inherit' });
  if (status !== 0) failedSteps.push(step.script);
  if (step.check) status === 0 ? checksPassed++ : checksFailed++;
}

/** Passed and failed test cases in one JUnit file (skipped ones count as neither). */
function countCases(file) {
  const counts = { passed: 0, failed: 0 };
  for (const [, body = ''] of readFileSync(`reports/${file}`, 'utf8').matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (/<(failure|error)\b/.test(body)) counts.failed++;
    else if (!/<skipped\b/.test(body)) counts.passed++;
  }
  return counts;
}

let passed = checksPassed;
let failed = checksFailed;
const reports = readdirSync('reports').filter((f) => f.endsWith('.xml'));
for (const file of reports) {
  const counts = countCases(file);
  passed += counts.passed;
  failed += counts.failed;
}
// The element suite once per engine: each engine's own line, from its own JUnit file.
const ENGINES = { Chromium: 'element.xml', Firefox: 'element-firefox.xml', WebKit: 'element-webkit.xml' };
const engines = Object.entries(ENGINES).map(([engine, file]) => {
  if (!reports.includes(file)) return `${engine} did not run`;
  const counts = countCases(file);
  return `${engine} ${counts.passed} passed, ${counts.failed} failed`;
});
console.log(`\nElement suite: ${engines.join('; ')}`);
if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length || failed ? 1 : 0);
