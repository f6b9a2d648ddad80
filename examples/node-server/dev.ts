/**
 * `npm run example:node-server`: the example server against the NavTalk mock, with a redis-server of its own
 * (Debian's package) unless REDIS_URL is given, and two server processes on it, as behind a load balancer.
 * Open the printed URLs as `endpoint` of a <navtalk-avatar> on http://127.0.0.1:5173 (npm start's demo origin)
 * or set ALLOWED_ORIGINS. Ctrl-C stops everything.
 */
import { startNodeProxy, startRedis } from '../../scripts/lib/node-proxy.js';
import { startMockNavTalk } from '../../src/mock/server.js';

const mock = await startMockNavTalk();
const redis = process.env.REDIS_URL ? undefined : await startRedis();
const env = {
  REDIS_URL: process.env.REDIS_URL ?? redis!.url,
  NAVTALK_API_KEY: mock.license,
  NAVTALK_BASE_URL: mock.url,
  TRUSTED_MEDIA_ORIGINS: mock.url,
  AUTH_MODE: 'open',
  ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? 'http://127.0.0.1:5173,http://localhost:5173',
};
const servers = await Promise.all([startNodeProxy(env), startNodeProxy(env)]);
console.log(`NavTalk mock: ${mock.url}\nRedis: ${env.REDIS_URL}\nProxy processes (one Redis, one proxy):\n${servers.map((s) => `  ${s.url}/`).join('\n')}`);

const stop = async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await redis?.stop();
  await mock.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
