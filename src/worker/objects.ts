import { DurableObject } from 'cloudflare:workers';
import type { GenerateRequest, TaskState, TaskStatus } from '../protocol/index.js';
import {
  configFromEnv, consoleLog, createNavTalkClient, redactingLog, reserveFrom, takeToken, nextUtcMidnight, noRefusals, utcDay,
  withSample, DEFAULT_COPY_LIMITS, KEPT_DAYS, REFUSAL_KINDS, TaskCoordinator,
  type Admission, type Admit, type Bucket, type ForgetOutcome, type RefusalKind, type RunningTask, type StartOptions,
  type TimingSample, type StartOutcome, type TaskRecord, type TaskSettings,
} from '../proxy/index.js';
import { r2ResultStore } from './results.js';

/**
 * One Durable Object per task id (idFromName(taskId)). Its single instance is the single flight: every start
 * for the id meets here, and the coordinator lets one of them call NavTalk. Upstream polling runs in alarms
 * (one poll each; alarms are at-least-once and a repeated poll is harmless), and long-polls wait in memory
 * until a poll changes the status; a done task's video is copied to R2 in the alarm that saw it done. NavTalk's key
 * and base URL come from this object's own env; the timing a task uses comes with its start, so it never changes
 * under a running task.
 */
export class TaskObject extends DurableObject<Env> {
  private readonly coordinator: TaskCoordinator;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = configFromEnv(env);
    const storage = ctx.storage;
    this.coordinator = new TaskCoordinator(
      {
        load: () => storage.get<TaskRecord>('task'),
        save: (record) => storage.put('task', record),
        clear: () => storage.deleteAll(),
        wakeAt: (at) => storage.setAlarm(at),
      },
      {
        navtalk: createNavTalkClient({ baseUrl: config.baseUrl, apiKey: config.apiKey }),
        now: () => Date.now(),
        log: redactingLog(consoleLog, config.apiKey),
        timings: {
          recent: () => recentTimings(env).recent(),
          record: (sample) => recentTimings(env).record(sample),
        },
        results: { store: r2ResultStore(env.RESULTS), limits: DEFAULT_COPY_LIMITS },
        finished: (id, startedAt) => budgetDay(env, startedAt).finished(id),
      },
    );
  }

  state(): Promise<TaskState | null> {
    return this.coordinator.state();
  }

  /** `admit` is a function from the calling Worker, called back over RPC only if this start reaches NavTalk. */
  start(id: string, request: GenerateRequest, settings: TaskSettings, admit: Admit, options?: StartOptions): Promise<StartOutcome> {
    return this.coordinator.start(id, request, settings, admit, options);
  }

  wait(seen: TaskStatus | undefined, timeoutMs: number): Promise<TaskState | null> {
    return this.coordinator.wait(seen, timeoutMs);
  }

  forget(): Promise<ForgetOutcome> {
    return this.coordinator.forget();
  }

  override async alarm(): Promise<void> {
    await this.coordinator.tick();
  }
}

/** The one TimingsObject: every task's duration meets there, so all of them learn NavTalk's speed. */
const recentTimings = (env: Env) => env.TIMINGS.get(env.TIMINGS.idFromName('recent'));

/**
 * The recent finished tasks (the last RECENT_TASKS: script features and duration), for the adaptive upstream poll
 * schedule: read when a task starts, written when one is done. Called once each per new generation, never per
 * page view.
 */
export class TimingsObject extends DurableObject<Env> {
  async recent(): Promise<TimingSample[]> {
    return (await this.ctx.storage.get<TimingSample[]>('samples')) ?? [];
  }

  async record(sample: TimingSample): Promise<void> {
    const storage = this.ctx.storage;
    await storage.put('samples', withSample((await storage.get<TimingSample[]>('samples')) ?? [], sample));
  }
}

const DAY_MS = 86_400_000;

/** The BudgetObject of the UTC day `at` falls in. */
export const budgetDay = (env: Env, at: number) => env.BUDGET.get(env.BUDGET.idFromName(utcDay(at)));

const RUNNING_KEY = 'running:';
const REFUSED_KEY = 'refused:';

/** One day's counts, as BudgetObject.counts answers. */
export interface DayCounts {
  generations: number;
  refused: Record<RefusalKind, number>;
  /** Tasks reserved this day and still running at the time asked. */
  running: number;
}

/**
 * One UTC day's count of new generations (idFromName(YYYY-MM-DD)), its refusals and the tasks it started that are
 * still running, kept KEPT_DAYS days after the day for the operator's view. The object's input gate holds other
 * calls while its storage read is in flight, and the write follows the read with no other await, so concurrent
 * reservations are counted exactly.
 */
export class BudgetObject extends DurableObject<Env> {
  async reserve(limit: number, now: number, task?: RunningTask): Promise<Admission> {
    const storage = this.ctx.storage;
    const used = (await storage.get<number>('used')) ?? 0;
    const result = reserveFrom(used, limit, now);
    if (result.used !== used) void storage.put('used', result.used);
    if (result.admission.ok && task) void storage.put(RUNNING_KEY + task.id, task.until);
    if (used === 0) this.expireAfter(now);
    return result.admission;
  }

  async refused(kind: RefusalKind, now: number): Promise<void> {
    const storage = this.ctx.storage;
    const count = (await storage.get<number>(REFUSED_KEY + kind)) ?? 0;
    void storage.put(REFUSED_KEY + kind, count + 1);
    if (count === 0) this.expireAfter(now);
  }

  async finished(id: string): Promise<void> {
    await this.ctx.storage.delete(RUNNING_KEY + id);
  }

  async counts(now: number): Promise<DayCounts> {
    const storage = this.ctx.storage;
    const refused = noRefusals();
    const stored = await storage.get<number>(['used', ...REFUSAL_KINDS.map((kind) => REFUSED_KEY + kind)]);
    for (const kind of REFUSAL_KINDS) refused[kind] = stored.get(REFUSED_KEY + kind) ?? 0;
    const running = [...(await storage.list<number>({ prefix: RUNNING_KEY })).values()].filter((until) => until > now).length;
    return { generations: stored.get('used') ?? 0, refused, running };
  }

  /** A day's object deletes itself KEPT_DAYS days after the day ends. */
  private expireAfter(now: number): void {
    void this.ctx.storage.setAlarm(nextUtcMidnight(now) + KEPT_DAYS * DAY_MS);
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/** How many LimiterObjects share the clients' token buckets. */
const LIMITER_SHARDS = 32;

/**
 * The LimiterObject that keeps a client's bucket (idFromName of this): one of LIMITER_SHARDS, by an FNV-1a hash
 * of the client key, so the same client always meets the same bucket.
 */
export function limiterShard(client: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < client.length; i++) hash = Math.imul(hash ^ client.charCodeAt(i), 0x01000193);
  return `shard-${(hash >>> 0) % LIMITER_SHARDS}`;
}

const BUCKET_KEY = 'bucket:';
/** A bucket refills completely within a minute of its last take, so forgetting it then changes nothing. */
const FORGET_AFTER_MS = 60_000;

/**
 * The token buckets of the clients whose keys hash to this shard, one storage key per client. A fixed set of
 * objects rather than one per client address: each new address made a new Durable Object, with its own SQLite
 * database, which costs workerd some 200 kB and three open files while it runs and was woken again by its
 * alarm a minute later, so the objects alive grew with the rate of new addresses; here they stay at most
 * LIMITER_SHARDS (docs/benchmarks.md, the soak). The input gate holds other calls while a bucket is read, and
 * its write follows with no other await, so each client's bucket stays exact. Like the other objects here it
 * keeps to the asynchronous storage API: on workerd 1.20260426 an object that has read `ctx.storage.kv` is
 * never garbage collected after eviction.
 */
export class LimiterObject extends DurableObject<Env> {
  async take(client: string, perMinute: number, now: number): Promise<Admission> {
    const storage = this.ctx.storage;
    const key = BUCKET_KEY + client;
    const { bucket, admission } = takeToken(await storage.get<Bucket>(key), perMinute, now);
    void storage.put(key, bucket);
    if ((await storage.getAlarm()) === null) void storage.setAlarm(now + FORGET_AFTER_MS);
    return admission;
  }

  /** Forgets the buckets untouched for a minute, and comes back when the oldest of the others is due. */
  override async alarm(): Promise<void> {
    const storage = this.ctx.storage;
    const due = Date.now() - FORGET_AFTER_MS;
    const idle: string[] = [];
    let oldest = Infinity;
    for (const [key, bucket] of await storage.list<Bucket>({ prefix: BUCKET_KEY })) {
      if (bucket.at <= due) idle.push(key);
      else oldest = Math.min(oldest, bucket.at);
    }
    // storage.delete takes at most 128 keys at a time.
    for (let i = 0; i < idle.length; i += 128) void storage.delete(idle.slice(i, i + 128));
    if (oldest !== Infinity) void storage.setAlarm(oldest + FORGET_AFTER_MS);
  }
}
