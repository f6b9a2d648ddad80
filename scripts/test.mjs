#!/usr/bin/env node
// `npm test`: every check and suite in order, each writing JUnit XML to reports/; then one plain
// "N passed, M failed" line, since the runners print no such line themselves. Exits non-zero on any failure.
// The WebKit element suite, which mostly waits on one page at a time, runs beside the Node suites that follow
// it (its output is printed when it ends), to keep the whole run under 15 minutes on 2 cores.
import { spawn } from 'node:child_process';
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
  { script: 'test:element:webkit', beside: ['test:proxy', 'test:cli', 'test:worker'] },
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

/** Runs one npm script, its output live or (`buffered`) kept and printed at its end; resolves when it has run. */
function run(script, buffered = false) {
  if (!pkg.scripts[script]) return Promise.resolve();
  const started = Date.now();
  if (!buffered) console.log(`\n=== npm run ${script}`);
  const child = spawn('npm', ['run', '--silent', script], { stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  const output = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => output.push(chunk));
  return new Promise((resolve) => child.on('close', (status) => {
    if (buffered) process.stdout.write(`\n=== npm run ${script} (ran beside the suites above)\n${Buffer.concat(output)}`);
    console.log(`=== ${script}: ${status === 0 ? 'ok' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
    if (status !== 0) failedSteps.push(script);
    resolve(status === 0);
  }));
}

for (const step of STEPS) {
  if (!step.beside) {
    const ok = await run(step.script);
    if (step.check) ok ? checksPassed++ : checksFailed++;
    continue;
  }
  const alongside = run(step.script, true);
  for (const script of step.beside) await run(script);
  await alongside;
}

/** Passed and failed test cases in one JUnit file (skipped ones count as neither), with each failure's name. */
function countCases(file) {
  const counts = { passed: 0, failed: 0, failures: [] };
  for (const [, attributes, body = ''] of readFileSync(`reports/${file}`, 'utf8').matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (/<(failure|error)\b/.test(body)) {
      counts.failed++;
      const name = /\bname="([^"]*)"/.exec(attributes)?.[1] ?? '(unnamed)';
      const message = /<(?:failure|error)\b[^>]*?\bmessage="([^"]*)"/.exec(body)?.[1] ?? '';
      counts.failures.push(`${file}: ${name}${message ? ` -- ${message.slice(0, 300)}` : ''}`);
    } else if (!/<skipped\b/.test(body)) counts.passed++;
  }
  return counts;
}

let passed = checksPassed;
let failed = checksFailed;
const failures = [];
const reports = readdirSync('reports').filter((f) => f.endsWith('.xml'));
for (const file of reports) {
  const counts = countCases(file);
  passed += counts.passed;
  failed += counts.failed;
  failures.push(...counts.failures);
}
// The element suite once per engine: each engine's own line, from its own JUnit file.
const ENGINES = { Chromium: 'element.xml', Firefox: 'element-firefox.xml', WebKit: 'element-webkit.xml' };
const engines = Object.entries(ENGINES).map(([engine, file]) => {
  if (!reports.includes(file)) return `${engine} did not run`;
  const counts = countCases(file);
  return `${engine} ${counts.passed} passed, ${counts.failed} failed`;
});
console.log(`\nElement suite: ${engines.join('; ')}`);
// Named again at the very end, where a CI log that keeps only its tail still shows them.
if (failures.length) console.log(`\nFailed tests:\n${failures.map((f) => `  ${f}`).join('\n')}`);
if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length || failed ? 1 : 0);
