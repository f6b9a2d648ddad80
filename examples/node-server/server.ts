/**
 * The NavTalk proxy as a plain Node server, its state on Redis: run as many of these as you like (containers,
 * processes, serverless instances) on one Redis, and they behave as one proxy. Configure it with the same
 * variables as the Worker (docs/proxy.md), plus:
 *   REDIS_URL          redis://127.0.0.1:6379 (required)
 *   PORT, HOST         where to listen (default 8788 on 127.0.0.1)
 *   CLIENT_IP_HEADER   the header your load balancer sets to the visitor's address (e.g. x-forwarded-for), for
 *                      the per-client rate limit; without it, the socket's address
 *   RESULTS_DIR        a folder to keep finished videos in (optional; one machine, or a folder they all share)
 *   S3_BUCKET_URL      or keep them in an S3-compatible bucket, shared by every machine (instead of RESULTS_DIR), with
 *                      S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and optionally S3_PREFIX
 *   PUBLIC_ORIGIN      this server's public origin behind a reverse proxy (for the URLs of kept videos)
 *   REUSE_DONE_ANSWERS_MS  how long a process answers repeats of a `done` POST from memory (default 1000; 0: never)
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { clientKeyForAddress, configFromEnv, consoleLog, createProxyHandler } from 'navtalk-avatar/proxy';
import { FileResultStore, S3ResultStore, nodeListener } from 'navtalk-avatar/proxy/node';
import { ioredisCommands, redisStores } from 'navtalk-avatar/proxy/redis';

const env = process.env;
const config = configFromEnv(env);
if (!env.REDIS_URL) throw new Error('Set REDIS_URL, e.g. redis://127.0.0.1:6379');
// Every command fails within a second when Redis is down (no offline queue): the proxy then answers 503 at once.
const redis = new Redis(env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1000, connectTimeout: 1000 });
redis.on('error', () => {}); // reported per request (503 unavailable); ioredis keeps reconnecting
// Task changes reach the long-polls of every process at once through this connection; it queues its SUBSCRIBE until
// Redis answers and subscribes again after a reconnect.
const subscriber = new Redis(env.REDIS_URL, { connectTimeout: 1000 });
subscriber.on('error', () => {});
function s3Store(bucketUrl: string): S3ResultStore {
  const { S3_REGION: region, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!region || !accessKeyId || !secretAccessKey) throw new Error('S3_BUCKET_URL needs S3_REGION, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  return new S3ResultStore({ bucketUrl, region, accessKeyId, secretAccessKey, ...(env.S3_PREFIX ? { prefix: env.S3_PREFIX } : {}) });
}
const results = env.S3_BUCKET_URL ? s3Store(env.S3_BUCKET_URL) : env.RESULTS_DIR ? new FileResultStore(env.RESULTS_DIR) : undefined;

const proxy = createProxyHandler({
  config,
  ...redisStores({ redis: ioredisCommands(redis, subscriber), config, log: consoleLog, ...(results ? { results } : {}) }),
  ...(results ? { results } : {}),
  clientKey: (request) => clientKeyForAddress(
    (env.CLIENT_IP_HEADER && request.headers.get(env.CLIENT_IP_HEADER)?.split(',')[0]?.trim()) || request.headers.get('x-navtalk-socket-address') || 'unknown',
  ),
});

const reuse = env.REUSE_DONE_ANSWERS_MS ? Number(env.REUSE_DONE_ANSWERS_MS) : undefined;
if (reuse !== undefined && !(Number.isSafeInteger(reuse) && reuse >= 0)) throw new Error('REUSE_DONE_ANSWERS_MS must be a whole number of milliseconds');
const listener = nodeListener(proxy, {
  ...(env.PUBLIC_ORIGIN ? { publicOrigin: env.PUBLIC_ORIGIN } : {}),
  ...(reuse !== undefined ? { reuseDoneAnswersMs: reuse } : {}),
});
const server = createServer((req, res) => {
  // The socket's address, for the rate limit when no trusted header names the visitor (a client cannot set it: overwritten here).
  req.headers['x-navtalk-socket-address'] = req.socket.remoteAddress ?? 'unknown';
  if (req.url === '/health') {
    res.writeHead(config.problems.length ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: config.problems.length === 0, problems: config.problems }));
    return;
  }
  listener(req, res);
});
const port = Number(env.PORT ?? 8788);
server.listen(port, env.HOST ?? '127.0.0.1', () => console.log(`navtalk proxy on http://${env.HOST ?? '127.0.0.1'}:${port}/ (Redis ${new URL(env.REDIS_URL!).host})`));

const stop = () => server.close(() => {
  redis.disconnect();
  subscriber.disconnect();
});
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
