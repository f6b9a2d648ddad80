import {
  clientKeyForAddress, configFromEnv, createProxyHandler, lastUtcDays,
  type Admission, type Budget, type ProxyHandler, type RateLimiter, type TaskStore,
} from '../proxy/index.js';

/**
 * The reference Cloudflare Worker: the portable proxy handler at `/`, with Durable Objects for everything
 * that must be shared and exact across Cloudflare's instances (tasks, the daily budget, per-client buckets),
 * finished videos kept in R2 and served from `/?video=`, and `/health` for deploy checks.
 */
export { TaskObject, BudgetObject, LimiterObject, TimingsObject } from './objects.js';
import { budgetDay, limiterShard } from './objects.js';
import { r2ResultStore } from './results.js';

/** Tasks live in one TaskObject per task id. */
function durableTasks(env: Env): TaskStore {
  const stub = (id: string) => env.TASKS.get(env.TASKS.idFromName(id));
  return {
    get: (id) => stub(id).state(),
    start: (id, request, settings, admit, options) => stub(id).start(id, request, settings, admit, options),
    wait: (id, seen, timeoutMs) => stub(id).wait(seen, timeoutMs),
    forget: (id) => stub(id).forget(),
  };
}

/** One BudgetObject per UTC day; the operator's view asks each of the last days, at once. */
const durableBudget = (env: Env): Budget => ({
  reserve: (limit, now, task): Promise<Admission> => budgetDay(env, now).reserve(limit, now, task),
  refused: (kind, now) => budgetDay(env, now).refused(kind, now),
  finished: (id, startedAt) => budgetDay(env, startedAt).finished(id),
  async usage(days, now) {
    const names = lastUtcDays(days, now);
    const counts = await Promise.all(names.map((day) => env.BUDGET.get(env.BUDGET.idFromName(day)).counts(now)));
    return {
      days: counts.map(({ generations, refused }, i) => ({ day: names[i]!, generations, refused })),
      running: counts.reduce((sum, c) => sum + c.running, 0),
    };
  },
});

/** Each client's bucket lives in one of a fixed set of LimiterObjects, chosen by its key. */
const durableLimiter = (env: Env): RateLimiter => ({
  take: (key, perMinute, now): Promise<Admission> =>
    env.LIMITER.get(env.LIMITER.idFromName(limiterShard(key))).take(key, perMinute, now),
});

// The env object lives as long as the isolate: build the handler (and parse the configuration) once.
const handlers = new WeakMap<Env, ProxyHandler>();

function proxyFor(env: Env): ProxyHandler {
  let handler = handlers.get(env);
  if (!handler) {
    handler = createProxyHandler({
      config: configFromEnv(env),
      store: durableTasks(env),
      budget: durableBudget(env),
      limiter: durableLimiter(env),
      results: r2ResultStore(env.RESULTS),
      // Cloudflare sets CF-Connecting-IP itself; a client cannot choose it.
      clientKey: (request) => clientKeyForAddress(request.headers.get('cf-connecting-ip') ?? 'unknown'),
    });
    handlers.set(env, handler);
  }
  return handler;
}

/** Liveness and configuration state, for deploy checks: variable names at most, never values. */
function health(env: Env): Response {
  const config = configFromEnv(env);
  const ok = config.problems.length === 0;
  return Response.json(
    { ok, auth_mode: config.authMode, problems: config.problems },
    { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  );
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return health(env);
    if (pathname !== '/') {
      return Response.json({ error: { code: 'not_found', message: 'The proxy answers at / only.' } }, { status: 404 });
    }
    return proxyFor(env)(request);
  },
} satisfies ExportedHandler<Env>;
