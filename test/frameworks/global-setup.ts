/**
 * Once per run: the NavTalk mock (its sample video is what finished generations point at) and the demo
 * built with vite.demo.config.ts into a temporary folder. Each test file serves that build itself
 * (harness.ts), with its own recording proxy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { startMockNavTalk } from '../../src/mock/server.js';

export const DEMO_CONFIG = new URL('../../vite.demo.config.ts', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    demoOutDir: string;
    mockUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const mock = await startMockNavTalk({ port: 0 });
  const outDir = mkdtempSync(join(tmpdir(), 'navtalk-demo-'));
  try {
    // The mock's address is built into the pages (their sample media).
    process.env.VITE_MOCK_URL = mock.url;
    await build({ configFile: DEMO_CONFIG, logLevel: 'warn', build: { outDir } });
  } catch (error) {
    await mock.close();
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
  project.provide('demoOutDir', outDir);
  project.provide('mockUrl', mock.url);
  return async () => {
    await mock.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
