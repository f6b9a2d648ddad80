import { DurableObject } from 'cloudflare:workers';
import type { GenerateRequest, TaskState, TaskStatus } from '../protocol/index.js';
import {
  configFromEnv, consoleLog, createNavTalkClient, estimateFrom, redactingLog, reserveFrom, takeToken, nextUtcMidnight,
  withDuration, DEFAULT_COPY_LIMITS, TaskCoordinator,
  type Admission, type Admit, type Bucket, type DurationEstimate, type StartOptions, type StartOutcome, type TaskRecord,
  type TaskSettings,
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
          estimate: () => recentTimings(env).estimate(),
          record: (durationMs) => recentTimings(env).record(durationMs),
        },
        results: { store: r2ResultStore(env.RESULTS), limits: DEFAULT_COPY_LIMITS },
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

  override async alarm(): Promise<void> {
    await this.coordinator.tick();
  }
}

/** The one TimingsObject: every task's duration meets there, so all of them learn NavTalk's speed. */
const recentTimings = (env: Env) => env.TIMINGS.get(env.TIMINGS.idFromName('recent'));

/**
 * How long recent tasks took (the last RECENT_TASKS), for the adaptive upstream poll schedule: read when a
 * task starts, written when one is done. Called once each per new generation, never per page view.
 */
export class TimingsObject extends DurableObject<Env> {
  async estimate(): Promise<DurationEstimate | undefined> {
    return estimateFrom((await this.ctx.storage.get<number[]>('durations')) ?? []);
  }

  async record(durationMs: number): Promise<void> {
    const storage = this.ctx.storage;
    await storage.put('durations', withDuration((await storage.get<number[]>('durations')) ?? [], durationMs));
  }
}

const DAY_MS = 86_400_000;

/**
 * Today's count of new generations: one object per UTC day (idFromName(YYYY-MM-DD)). The object's input gate
 * holds other calls while its storage read is in flight, and the write follows the read with no other await,
 * so concurrent reservations are counted exactly.
 */
export class BudgetObject extends DurableObject<Env> {
  async reserve(limit: number, now: number): Promise<Admission> {
    const storage = this.ctx.storage;
    const used = (await storage.get<number>('used')) ?? 0;
    const result = reserveFrom(used, limit, now);
    if (result.used !== used) void storage.put('used', result.used);
    // A day's object deletes itself a day after the day ends.
    if (used === 0) void this.ctx.storage.setAlarm(nextUtcMidnight(now) + DAY_MS);
    return result.admission;
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/**
 * One client's token bucket (idFromName(address or IPv6 /64)), forgotten after a minute without requests.
 * Like the other objects here it uses the asynchronous storage API, never `ctx.storage.kv`: on workerd
 * 1.20260426 an object that has read `storage.kv` is never garbage collected after eviction (its storage stays
 * a GC root), so with one object per client address the Worker's memory grew with every new address
 * (docs/benchmarks.md, the soak). Both APIs read and write the same key-value table.
 */
export class LimiterObject extends DurableObject<Env> {
  async take(perMinute: number, now: number): Promise<Admission> {
    const storage = this.ctx.storage;
    const { bucket, admission } = takeToken(await storage.get<Bucket>('bucket'), perMinute, now);
    void storage.put('bucket', bucket);
    // A bucket refills completely within a minute, so forgetting it then changes nothing.
    void this.ctx.storage.setAlarm(now + 60_000);
    return admission;
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
