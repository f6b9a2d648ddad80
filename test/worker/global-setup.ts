// Runs in Node before the workerd tests: one mock NavTalk on 127.0.0.1:0 for the whole run (the test files
// run one at a time and reset it), reached by the Worker over loopback.
import type { TestProject } from 'vitest/node';
import { startMockNavTalk } from '../../src/mock/server.js';
import { FAST_TIMING } from '../proxy/cases.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mock = await startMockNavTalk({ timing: FAST_TIMING });
  project.provide('mockUrl', mock.url);
  project.provide('mockLicense', mock.license);
  return () => mock.close();
}
