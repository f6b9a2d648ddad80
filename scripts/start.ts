/**
 * `npm start`: the NavTalk mock, the reference Worker (wrangler dev, AUTH_MODE=open) and the demo, until Ctrl-C.
 * With NAVTALK_API_KEY in the environment or in .dev.vars, the Worker talks to the real NavTalk instead.
 */
import { envOrDevVar } from '../src/cli/dev-vars.js';
import { startStack } from './lib/stack.js';

const apiKey = envOrDevVar('NAVTALK_API_KEY');
const demoPort = process.env.PORT === undefined ? 5173 : Number(process.env.PORT);
console.log(apiKey ? 'Using the real NavTalk (NAVTALK_API_KEY is set).' : 'Starting the NavTalk mock, the Worker and the demo…');
// The landing page alone starts ten generations at once: allow a demo's worth per minute.
const vars = { RATE_LIMIT_PER_MINUTE: '60' };
const stack = await startStack({ apiKey, navtalkBaseUrl: process.env.NAVTALK_BASE_URL, demo: true, demoPort, vars }).catch((error: Error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
if (stack.mock) console.log(`  NavTalk mock  ${stack.mock.url}`);
console.log(`  Worker proxy  ${stack.workerUrl}`);
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
