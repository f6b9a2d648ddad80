// The operator's routes on two processes of the Node server on one Redis (examples/node-server, a shared folder of
// kept videos): requests go to the first process and admin requests to the second, so the counts and the list are
// the shared ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { startNodeStack, type NodeStack } from '../../scripts/lib/node-proxy.js';
import { viewerIp } from '../e2e/faults-clients.js';
import { ADMIN_TOKEN, adminTests, type AdminTarget } from '../proxy/admin-cases.js';
import { ORIGIN, PREVIOUS_SECRET, SECRET } from '../proxy/cases.js';

const folder = mkdtempSync(join(tmpdir(), 'navtalk-admin-redis-'));
let stack: NodeStack;
beforeAll(async () => {
  stack = await startNodeStack({
    processes: 2,
    origins: [ORIGIN],
    vars: {
      ADMIN_TOKEN, AUTH_MODE: 'signed', SIGNING_SECRET: SECRET, SIGNING_SECRET_PREVIOUS: PREVIOUS_SECRET, RESULTS_DIR: folder,
      DAILY_GENERATION_LIMIT: '3', RATE_LIMIT_PER_MINUTE: '5', UPSTREAM_POLL_INTERVAL_MS: '100', REUSE_DONE_ANSWERS_MS: '0',
    },
  });
  stack.mock.configure({ timing: { processingAfterMs: 50, doneAfterMs: 300 } });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(folder, { recursive: true, force: true });
});

let clients = 0;
/** A client of its own address (its own rate-limit bucket); admin requests go to the second process. */
function target(): AdminTarget {
  const ip = viewerIp(++clients);
  const [first, second] = stack.proxies;
  return {
    endpoint: `${first!.url}/`,
    send(request) {
      const url = new URL(request.url);
      if (url.searchParams.has('admin')) url.host = new URL(second!.url).host;
      const sent = new Request(url, request);
      sent.headers.set('cf-connecting-ip', ip);
      return fetch(sent);
    },
    generations: async () => stack.mock.calls.filter((c) => c.path === '/generate').length,
    previewFetches: async () => stack.mock.calls.filter((c) => c.path.startsWith('/uploadFiles/')).length,
    license: stack.mock.license,
  };
}

describe('admin routes on the Node server on Redis', () => {
  adminTests(target, { tag: 'redis', stores: 'a folder, and Redis' });
});
