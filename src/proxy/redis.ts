import type { TaskState, TaskStatus } from '../protocol/index.js';
import type { ProxyConfig } from './config.js';
import {
  KEPT_DAYS, lastUtcDays, nextUtcMidnight, noRefusals, utcDay, REFUSAL_KINDS, type Admission, type Budget, type RateLimiter, type RefusalKind,
} from './limits.js';
import { createNavTalkClient } from './navtalk.js';
import { DEFAULT_COPY_LIMITS, type ResultStore } from './results.js';
import { RECENT_TASKS, type TaskTimings, type TimingSample } from './schedule.js';
import {
  GUARDS_UNAVAILABLE, TaskCoordinator, proxyError, publicState, redactingLog,
  type CoordinatorDeps, type ProxyLog, type StartOptions, type StartOutcome, type TaskRecord, type TaskSlot, type TaskStore,
} from './tasks.js';

/**
 * The proxy's shared state on Redis, for hosts with several processes, containers or serverless instances
 * (`navtalk-avatar/proxy/redis`). Every decision is one atomic step in Redis: a start takes a short lock (one
 * NavTalk generation per script across all processes), the daily budget and the token buckets are Lua scripts.
 * No timers: NavTalk is polled by the requests themselves. Whichever status request arrives when a poll is due
 * takes a short lock and asks NavTalk once, so a task completes on any instance, even if the one that started
 * it is gone. Redis is reached through RedisCommands, a handful of commands that a TCP client (ioredis,
 * node-redis) and a REST one (Upstash) both offer.
 */

/** The Redis commands the stores use. Each must fail (reject) rather than hang: give the client timeouts. */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  /** SET, with an expiry in ms and only-if-absent when asked; true when the value was written. */
  set(key: string, value: string, options?: { pxMs?: number; onlyIfAbsent?: boolean }): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  /** EVAL of a Lua script. */
  eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown>;
  /**
   * SUBSCRIBE to a channel (on a connection of its own): long-polls then learn of a task's change from any process at
   * once. Without it (a REST client), they look every 100 ms.
   */
  subscribe?(channel: string, listener: (message: string) => void): Promise<void>;
}

/** The part of an ioredis client that subscribing uses: a connection of its own (`client.duplicate()`). */
interface IoredisSubscriber {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
}

/**
 * An ioredis client as RedisCommands (through its generic `call`). Create it with timeouts and no offline queue.
 * Pass a second connection (`client.duplicate()`) as `subscriber` so that long-polls wake at once.
 */
export function ioredisCommands(
  client: { call(command: string, ...args: (string | number)[]): Promise<unknown> },
  subscriber?: IoredisSubscriber,
): RedisCommands {
  return {
    ...(subscriber ? {
      async subscribe(channel: string, listener: (message: string) => void) {
        subscriber.on('message', (from, message) => from === channel && listener(message));
        await subscriber.subscribe(channel);
      },
    } : {}),
    get: async (key) => (await client.call('GET', key)) as string | null,
    async set(key, value, options = {}) {
      const args: (string | number)[] = [key, value];
      if (options.pxMs !== undefined) args.push('PX', Math.max(1, Math.ceil(options.pxMs)));
      if (options.onlyIfAbsent) args.push('NX');
      return (await client.call('SET', ...args)) === 'OK';
    },
    async del(...keys) {
      await client.call('DEL', ...keys);
    },
    eval: (script, keys, args) => client.call('EVAL', script, keys.length, ...keys, ...args),
  };
}

/** An Upstash REST client (`new Redis({ url, token, automaticDeserialization: false })`) as RedisCommands. */
export function upstashCommands(client: {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: { px?: number; nx?: boolean }): Promise<unknown>;
  del(...keys: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown>;
}): RedisCommands {
  return {
    get: async (key) => ((await client.get(key)) as string | null) ?? null,
    async set(key, value, options = {}) {
      const result = await client.set(key, value, {
        ...(options.pxMs !== undefined ? { px: Math.max(1, Math.ceil(options.pxMs)) } : {}),
        ...(options.onlyIfAbsent ? { nx: true } : {}),
      });
      return result === 'OK';
    },
    async del(...keys) {
      await client.del(...keys);
    },
    eval: (script, keys, args) => client.eval(script, keys, args),
  };
}

// Lua: atomic in Redis, so exact across processes.
/**
 * Counts one more generation if under the limit (KEYS = the day's count, the running tasks; ARGV = limit, expiry ms,
 * and the task id and its deadline if any, added to the running tasks); -1 when spent.
 */
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return -1 end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if ARGV[3] then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) end
return used`;
/** Counts a refusal (KEYS[1] = the day's refusals; ARGV = kind, expiry ms). */
const REFUSED = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])`;
/**
 * The running tasks, past deadlines dropped (KEYS[1], ARGV[1] = now), then each day's count and refusals (KEYS in
 * pairs after it).
 */
const USAGE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local out = { redis.call('ZCARD', KEYS[1]) }
for i = 2, #KEYS, 2 do
  table.insert(out, redis.call('GET', KEYS[i]) or '0')
  table.insert(out, redis.call('HGETALL', KEYS[i + 1]))
end
return out`;
const FINISHED = `return redis.call('ZREM', KEYS[1], ARGV[1])`;
/**
 * The token bucket of limits.ts (takeToken) in Lua: KEYS[1] = the client's bucket, ARGV = per minute, now (ms).
 * Returns 0 when a token was taken, else the seconds until one is back. The tokens are stored with %.17g, the exact
 * double (tostring keeps 14 digits, and a wait that falls on a whole second then rounded up to the next one).
 */
const TAKE = `
local per = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local rate = per / 60000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = per
if bucket[1] then tokens = math.min(per, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) * rate) end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / rate / 1000)) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait`;
/** Tells every process that a task changed (KEYS[1] = the channel, ARGV[1] = the task id). */
const PUBLISH = `return redis.call('PUBLISH', KEYS[1], ARGV[1])`;
/** Deletes a lock only if this holder still has it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Adds a finished task (JSON) and keeps the newest RECENT_TASKS; with no ARGV, just reads them. */
const SAMPLES = `
if ARGV[1] then redis.call('LPUSH', KEYS[1], ARGV[1]); redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1) end
return redis.call('LRANGE', KEYS[1], 0, -1)`;

const DAY_MS = 86_400_000;
/** How long one process may hold a task's copy (DEFAULT_COPY_LIMITS: 3 attempts of at most a minute). */
const COPY_LEASE_MS = DEFAULT_COPY_LIMITS.attempts * DEFAULT_COPY_LIMITS.timeoutMs + 10_000;
/** Running tasks keep their record at most this long past their deadline if nobody asks about them again. */
const STALE_MS = 3_600_000;
/** How often a waiting status request looks at the task without change notifications (with them: SAFETY_STEP_MS). */
const WAIT_STEP_MS = 100;
/** With change notifications, a waiting request still looks this often, in case one was lost (a reconnect). */
const SAFETY_STEP_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits `ms`, or less if `early` settles first (its timer then cleared, so waits do not pile up). */
const sleepUnless = (early: Promise<void>, ms: number) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  void early.then(() => {
    clearTimeout(timer);
    resolve();
  });
});
const randomToken = () => crypto.randomUUID();

export interface RedisStoresOptions {
  redis: RedisCommands;
  /** The proxy's configuration: NavTalk's key and base URL come from it. */
  config: ProxyConfig;
  /** Prepended to every key (several sites on one Redis). Default `navtalk:`. */
  prefix?: string;
  /** Where done videos are kept (give the handler the same one). */
  results?: ResultStore;
  fetch?: typeof fetch;
  log?: ProxyLog;
  now?: () => number;
}

export interface RedisStores {
  store: TaskStore;
  budget: Budget;
  limiter: RateLimiter;
  timings: TaskTimings;
}

/** The task store, budget, rate limiter and timings on one Redis: pass them all to createProxyHandler. */
export function redisStores(options: RedisStoresOptions): RedisStores {
  const { redis, config } = options;
  const prefix = options.prefix ?? 'navtalk:';
  const now = options.now ?? Date.now;
  const log = redactingLog(options.log ?? (() => {}), config.apiKey);
  const key = (...parts: string[]) => `${prefix}${parts.join(':')}`;

  const timings: TaskTimings = {
    async recent() {
      const listed = (await redis.eval(SAMPLES, [key('samples')], [])) as string[];
      // Newest first in the list.
      return listed.map((json) => JSON.parse(json) as TimingSample).reverse();
    },
    async record(sample) {
      await redis.eval(SAMPLES, [key('samples')], [JSON.stringify({ ...sample, durationMs: Math.round(sample.durationMs) }), RECENT_TASKS]);
    },
  };

  const deps: CoordinatorDeps = {
    navtalk: createNavTalkClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    now,
    log,
    timings,
    ...(options.results ? { results: { store: options.results, limits: DEFAULT_COPY_LIMITS } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    finished: (id) => budget.finished(id, now()),
  };

  /** A task's slot: its record and its next due poll, each a key that expires with the task. */
  const slot = (id: string): TaskSlot => {
    const ttl = (record: TaskRecord) =>
      record.expiresAt !== undefined ? record.expiresAt - now() : record.status === 'done' || record.status === 'failed' ? undefined : record.deadlineAt + STALE_MS - now();
    let expiry: number | undefined;
    return {
      async load() {
        const text = await redis.get(key('task', id));
        return text === null ? undefined : (JSON.parse(text) as TaskRecord);
      },
      async save(record) {
        expiry = ttl(record);
        await redis.set(key('task', id), JSON.stringify(record), expiry === undefined ? {} : { pxMs: Math.max(1, expiry) });
        // Not awaited: a change is already stored, and a waiter that misses the news still looks every SAFETY_STEP_MS.
        if (live) redis.eval(PUBLISH, [changes], [id]).catch(() => {});
      },
      async clear() {
        await redis.del(key('task', id), key('due', id));
      },
      async wakeAt(at) {
        await redis.set(key('due', id), String(at), expiry === undefined ? {} : { pxMs: Math.max(1, expiry) });
      },
    };
  };
  // A copy runs beside the long-poll that found the task done (so `done` is answered with NavTalk's URL at once), once
  // across processes; if its process dies, the next wake-up after the tick lease starts it again.
  const copyBeside = (id: string) => (copy: () => Promise<void>) => {
    locked(key('lock', 'copy', id), COPY_LEASE_MS, copy).catch((error) =>
      log('warn', 'video_copy_failed', { task: id, error: String(error instanceof Error ? error.message : error).slice(0, 200) }));
  };
  const coordinator = (id: string) => new TaskCoordinator(slot(id), { ...deps, copyBeside: copyBeside(id) });

  // Change notifications: one subscription per process, fanned out to the long-polls waiting on each task.
  const changes = key('changes');
  const watchers = new Map<string, Set<() => void>>();
  let live = false;
  const subscribed = redis.subscribe
    ? redis.subscribe(changes, (id) => watchers.get(id)?.forEach((wake) => wake())).then(() => { live = true; }, (error) => {
      log('warn', 'redis_subscribe_failed', { error: String(error instanceof Error ? error.message : error).slice(0, 200) });
    })
    : Promise.resolve();
  /** Resolves when the task is reported changed; armed before the task is read, so no change falls in between. */
  const watch = (id: string) => {
    let wake!: () => void;
    const changed = new Promise<void>((resolve) => (wake = resolve));
    const set = watchers.get(id) ?? new Set();
    watchers.set(id, set.add(wake));
    const stop = () => {
      set.delete(wake);
      if (!set.size) watchers.delete(id);
    };
    return { changed, stop };
  };

  /** Holds a short lock while `work` runs; null when another holder has it. */
  async function locked<T>(name: string, ttlMs: number, work: () => Promise<T>): Promise<{ value: T } | null> {
    const token = randomToken();
    if (!(await redis.set(name, token, { pxMs: ttlMs, onlyIfAbsent: true }))) return null;
    try {
      return { value: await work() };
    } finally {
      await redis.eval(RELEASE, [name], [token]).catch(() => {});
    }
  }

  /**
   * Polls NavTalk (copies a done video, expires a result) if a wake-up is due and nobody else is doing it. Returns
   * when the next wake-up is due (now: look again; Infinity: none).
   */
  async function tickIfDue(id: string): Promise<number> {
    const due = await redis.get(key('due', id));
    if (due === null) return Infinity;
    if (Number(due) > now()) return Number(due);
    const lease = config.upstreamTimeoutMs + 5000;
    await locked(key('lock', 'tick', id), lease, async () => {
      // Taken just after another holder's poll: its wake-up moved on, so this one does not poll twice.
      const again = await redis.get(key('due', id));
      if (again === null || Number(again) > now()) return;
      // Due again after the lease if this process dies mid-poll; the tick's own wake-up replaces it.
      await redis.set(key('due', id), String(now() + lease), { pxMs: lease * 2 });
      await coordinator(id).tick();
    });
    return now();
  }

  const store: TaskStore = {
    async get(id) {
      await tickIfDue(id);
      return coordinator(id).state();
    },

    async start(id, request, settings, admit, startOptions?: StartOptions): Promise<StartOutcome> {
      // One generation per script across every process: whoever takes the start lock asks NavTalk, the others
      // wait for the record it writes (or take the lock after it, e.g. after a refusal that was only theirs).
      const waitingSince = now();
      const deadline = waitingSince + settings.upstreamTimeoutMs + 10_000;
      // A running or finished task (a cache hit) is one read, no lock.
      const existing = startOptions?.recheck ? undefined : await coordinator(id).current();
      if (existing && existing.status !== 'failed') return { ok: true, state: publicState(existing) };
      for (;;) {
        const started = await locked(key('lock', 'start', id), settings.upstreamTimeoutMs + 10_000,
          () => coordinator(id).start(id, request, settings, admit, startOptions));
        if (started) return started.value;
        await sleep(25 + Math.random() * 50);
        const record = await coordinator(id).current();
        if (record && record.status !== 'failed' && !(startOptions?.recheck && record.status === 'done')) {
          return { ok: true, state: publicState(record) };
        }
        // An attempt that failed while this request waited is its answer too: NavTalk is not asked again at once.
        if (record?.error && (record.finishedAt ?? 0) >= waitingSince) return { ok: false, error: proxyError(record.error.code, record.error.message) };
        if (now() > deadline) return { ok: false, error: GUARDS_UNAVAILABLE };
      }
    },

    forget: (id) => coordinator(id).forget(),

    async wait(id, seen, timeoutMs): Promise<TaskState | null> {
      const until = now() + timeoutMs;
      let status: TaskStatus | undefined = seen;
      await subscribed;
      for (;;) {
        const watching = watch(id);
        try {
          const due = await tickIfDue(id);
          const state = await coordinator(id).state();
          if (!state) return null;
          status ??= state.status;
          if (state.status !== status || state.status === 'done' || state.status === 'failed' || now() >= until) return state;
          // Until the task changes (any process), its next poll is due (this request makes it), or the safety step.
          const step = Math.min(live ? SAFETY_STEP_MS : WAIT_STEP_MS, due - now(), until - now());
          await sleepUnless(watching.changed, Math.max(0, step));
        } finally {
          watching.stop();
        }
      }
    },
  };

  // A day's counts are kept KEPT_DAYS days, for the operator's view.
  const budget: Budget = {
    async reserve(limit, at, task): Promise<Admission> {
      const args = [limit, KEPT_DAYS * DAY_MS, ...(task ? [task.id, task.until] : [])];
      const used = Number(await redis.eval(RESERVE, [key('budget', utcDay(at)), key('running')], args));
      return used >= 0 ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((nextUtcMidnight(at) - at) / 1000)) };
    },
    async refused(kind, at) {
      await redis.eval(REFUSED, [key('refused', utcDay(at))], [kind, KEPT_DAYS * DAY_MS]);
    },
    async finished(id) {
      await redis.eval(FINISHED, [key('running')], [id]);
    },
    async usage(days, at) {
      const names = lastUtcDays(days, at);
      const [running, ...counts] = (await redis.eval(USAGE, [key('running'), ...names.flatMap((day) => [key('budget', day), key('refused', day)])], [at])) as
        [number, ...(string | string[])[]];
      return {
        running: Number(running),
        days: names.map((day, i) => {
          const fields = counts[2 * i + 1] as string[];
          const refused = noRefusals();
          for (let f = 0; f < fields.length; f += 2) {
            if ((REFUSAL_KINDS as readonly string[]).includes(fields[f]!)) refused[fields[f] as RefusalKind] = Number(fields[f + 1]);
          }
          return { day, generations: Number(counts[2 * i]), refused };
        }),
      };
    },
  };

  const limiter: RateLimiter = {
    async take(client, perMinute, at): Promise<Admission> {
      const wait = Number(await redis.eval(TAKE, [key('bucket', client)], [perMinute, at]));
      return wait === 0 ? { ok: true } : { ok: false, retryAfterSeconds: wait };
    },
  };

  return { store, budget, limiter, timings };
}
