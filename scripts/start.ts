/**
 * `npm start`: the NavTalk mock, the reference Worker (wrangler dev, AUTH_MODE=open) and the demo, until Ctrl-C.
 * With NAVTALK_API_KEY in the environment or in .dev.vars, the Worker talks to the real NavTalk instead.
 *
 * The Worker's admin routes are on, with ADMIN_TOKEN from the environment or .dev.vars, else a new random one; it is
 * printed with the command that reads them (`navtalk-avatar usage`).
 *
 * Before the demo starts, the landing page's pre-rendered avatar gets its video made through the Worker, as
 * `navtalk-avatar prerender` would at build time; the page reads its URL from VITE_PRERENDERED_URL.
 */
import { randomBytes } from 'node:crypto';
import { prerenderedRequest } from '../demo/lib/prerendered.js';
import { envOrDevVar } from '../src/cli/dev-vars.js';
import { renderRequest, requestHash } from '../src/cli/prerender.js';
import type { MockNavTalk } from '../src/mock/server.js';
import { startStack } from './lib/stack.js';

const apiKey = envOrDevVar('NAVTALK_API_KEY');
const demoPort = process.env.PORT === undefined ? 5173 : Number(process.env.PORT);
console.log(apiKey ? 'Using the real NavTalk (NAVTALK_API_KEY is set).' : 'Starting the NavTalk mock, the Worker and the demo…');
// The landing page alone starts ten generations at once: allow a demo's worth per minute.
const vars = { RATE_LIMIT_PER_MINUTE: '60' };
const adminToken = envOrDevVar('ADMIN_TOKEN') ?? randomBytes(32).toString('base64url');

/** What became of the pre-rendered avatar's video, for the summary. */
let prerendered = '';
/**
 * Makes the pre-rendered avatar's video through the Worker and hands its URL (the Worker's kept copy) to the demo.
 * Only with the mock: with a real key it would be a paid generation at every start (the Worker's local state does not
 * outlive npm start), so the page then shows its fallback. A failure never stops npm start.
 */
async function prerender({ mock, workerUrl, demoOrigin }: { mock?: MockNavTalk; workerUrl: string; demoOrigin: string }): Promise<void> {
  if (!mock) return;
  const request = prerenderedRequest(mock.url);
  const started = Date.now();
  const timing = { ...mock.config().timing };
  // The mock takes 8 s a video, like a quick NavTalk render; this one it finishes at once, so startup stays short.
  mock.configure({ timing: { processingAfterMs: 0, doneAfterMs: 0 } });
  try {
    const { resultUrl } = await renderRequest(request, { endpoint: `${workerUrl}/`, origin: demoOrigin, timeoutMs: 20_000, storeWaitMs: 5000 });
    process.env.VITE_PRERENDERED_URL = resultUrl;
    process.env.VITE_PRERENDERED_HASH = await requestHash(request);
    prerendered = `  Pre-rendered  ${resultUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)`;
  } catch (error) {
    prerendered = `  Pre-rendered  none: ${(error as Error).message} (the landing page plays the mock's sample video instead)`;
  } finally {
    mock.configure({ timing });
  }
}

const stack = await startStack({ apiKey, navtalkBaseUrl: process.env.NAVTALK_BASE_URL, demo: true, demoPort, vars, adminToken, beforeDemo: prerender })
  .catch((error: Error) => {
    console.error(`npm start failed: ${error.message}`);
    process.exit(1);
  });
if (stack.mock) console.log(`  NavTalk mock  ${stack.mock.url}`);
console.log(`  Worker proxy  ${stack.workerUrl}`);
console.log(`  Admin token   ${adminToken}`);
console.log(`                ADMIN_TOKEN=${adminToken} npx navtalk-avatar usage --endpoint ${stack.workerUrl}/`);
if (prerendered) console.log(prerendered);
console.log(`\n  Demo ready:   ${stack.demoUrl}\n\n  Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  });
}
