/**
 * Once per run: the NavTalk mock (finished generations point at its sample video), and every app under examples/
 * built into a temporary folder by its framework's own build and typechecked by its framework's own checker. They run
 * as child processes two at a time (the machine has two cores); the tests read what each printed and returned.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMockNavTalk } from '../../src/mock/server.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Example {
  name: string;
  /** Its folder under examples/, also its build's folder in the run's temporary folder. */
  dir: string;
  /** The text the app starts with. */
  text: string;
  /** Builds the app into `out` (a command line: a bin from node_modules/.bin, then its arguments). */
  build: (out: string) => string[];
  /** Typechecks it; none where the build is the typecheck (Angular's compiler checks the templates). */
  typecheck?: string[];
}

const vite = (dir: string) => (out: string) => ['vite', 'build', `examples/${dir}`, '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'];
const tsc = (dir: string) => ['tsc', '-p', `examples/${dir}/tsconfig.json`];

export const EXAMPLES: Example[] = [
  {
    name: 'Svelte 5', dir: 'svelte', text: 'Hello from Svelte 5!', build: vite('svelte'),
    typecheck: ['svelte-check', '--tsconfig', 'examples/svelte/tsconfig.json', '--output', 'machine'],
  },
  { name: 'Angular', dir: 'angular', text: 'Hello from Angular!', build: vite('angular') },
  { name: 'Preact', dir: 'preact', text: 'Hello from Preact!', build: vite('preact'), typecheck: tsc('preact') },
  { name: 'Solid', dir: 'solid', text: 'Hello from Solid!', build: vite('solid'), typecheck: tsc('solid') },
  {
    name: 'Astro', dir: 'astro', text: 'Hello from Astro!',
    build: (out) => ['astro', 'build', '--root', 'examples/astro', '--outDir', out, '--silent'],
    typecheck: tsc('astro'),
  },
];

export interface Outcome {
  /** The exit code (0: success). */
  code: number;
  output: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    examplesOut: string;
    /** By example folder: what its build and its typecheck did. */
    exampleOutcomes: Record<string, { build: Outcome; typecheck?: Outcome }>;
    mockUrl: string;
  }
}

function run([bin, ...args]: string[]): Promise<Outcome> {
  // Astro would otherwise send usage data (and find no network).
  const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(join(ROOT, 'node_modules/.bin', bin!), args, { cwd: ROOT, env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs the jobs, `width` at a time, in the order given. */
async function pool(jobs: Array<() => Promise<void>>, width: number): Promise<void> {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  }));
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const mock = await startMockNavTalk({ port: 0 });
  const out = mkdtempSync(join(tmpdir(), 'navtalk-examples-'));
  const outcomes: Record<string, { build: Outcome; typecheck?: Outcome }> = {};
  // An app's typecheck waits for its build (Astro's both write examples/astro/.astro); the slowest start first.
  const order = ['astro', 'angular', 'svelte', 'solid', 'preact'];
  const took: string[] = [];
  await pool(order.map((dir) => async () => {
    const example = EXAMPLES.find((e) => e.dir === dir)!;
    const start = Date.now();
    const build = await run(example.build(join(out, dir)));
    outcomes[dir] = { build, ...(example.typecheck ? { typecheck: await run(example.typecheck) } : {}) };
    took.push(`${example.name} ${seconds(start)}`);
  }), 2);
  console.log(`Built and typechecked the examples in ${seconds(started)} (${took.join(', ')})`);
  project.provide('examplesOut', out);
  project.provide('exampleOutcomes', outcomes);
  project.provide('mockUrl', mock.url);
  return async () => {
    await mock.close();
    rmSync(out, { recursive: true, force: true });
  };
}
