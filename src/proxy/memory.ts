import type { GenerateRequest, TaskState, TaskStatus } from '../protocol/index.js';
import {
  KEPT_DAYS, bucketIsFull, lastUtcDays, noRefusals, reserveFrom, takeToken, utcDay,
  type Admission, type Bucket, type Budget, type DayUsage, type RateLimiter, type RefusalKind, type RunningTask,
} from './limits.js';
import { withSample, type TaskTimings, type TimingSample } from './schedule.js';
import { TaskCoordinator, type Admit, type CoordinatorDeps, type ForgetOutcome, type StartOptions, type StartOutcome, type TaskRecord, type TaskSettings, type TaskSlot, type TaskStore } from './tasks.js';

/**
 * In-memory stores: the defaults, for one long-lived process (Node, Deno, Bun, a single server). State is
 * lost on restart and not shared between processes or serverless instances; behind several instances, give
 * the handler shared stores instead (the Worker uses Durable Objects).
 */

type Timer = ReturnType<typeof setTimeout>;
/** Timers must not keep a process alive just to poll or expire. */
const unref = (timer: Timer): Timer => {
  (timer as { unref?: () => void }).unref?.();
  return timer;
};

/** One task's slot: the record in a field, the wake-up in a timer. */
class MemorySlot implements TaskSlot {
  private record: TaskRecord | undefined;
  private timer: Timer | undefined;

  constructor(private readonly now: () => number, private readonly onWake: () => void) {}

  private cancel() {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
  get empty(): boolean { return this.record === undefined; }
  async load() { return this.record; }
  async save(record: TaskRecord) { this.record = structuredClone(record); }
  async clear() {
    this.record = undefined;
    this.cancel();
  }
  async wakeAt(at: number) {
    this.cancel();
    this.timer = unref(setTimeout(this.onWake, Math.max(0, at - this.now())));
  }
}

interface Entry { coordinator: TaskCoordinator; slot: MemorySlot }

export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Entry>();

  constructor(private readonly deps: CoordinatorDeps) {}

  private entry(id: string): Entry {
    let entry = this.tasks.get(id);
    if (!entry) {
      const slot: MemorySlot = new MemorySlot(this.deps.now, () => {
        coordinator.tick()
          .catch((error: unknown) => this.deps.log('error', 'poll_crashed', { task: id, error: String(error) }))
          .finally(() => this.forgetIfEmpty(id));
      });
      const coordinator = new TaskCoordinator(slot, this.deps);
      this.tasks.set(id, (entry = { coordinator, slot }));
    }
    return entry;
  }

  /** Drops an entry with no task and nobody inside it, so expired or refused ids keep no memory. */
  private forgetIfEmpty(id: string): void {
    const entry = this.tasks.get(id);
    if (entry && entry.slot.empty && !entry.coordinator.busy) this.tasks.delete(id);
  }

  get(id: string): Promise<TaskState | null> {
    return this.tasks.get(id)?.coordinator.state() ?? Promise.resolve(null);
  }

  async start(id: string, request: GenerateRequest, settings: TaskSettings, admit: Admit, options?: StartOptions): Promise<StartOutcome> {
    try {
      return await this.entry(id).coordinator.start(id, request, settings, admit, options);
    } finally {
      this.forgetIfEmpty(id);
    }
  }

  wait(id: string, seen: TaskStatus | undefined, timeoutMs: number): Promise<TaskState | null> {
    return this.tasks.get(id)?.coordinator.wait(seen, timeoutMs) ?? Promise.resolve(null);
  }

  async forget(id: string): Promise<ForgetOutcome> {
    const entry = this.tasks.get(id);
    if (!entry) return 'missing';
    try {
      return await entry.coordinator.forget();
    } finally {
      this.forgetIfEmpty(id);
    }
  }
}

/** Exact per-key token buckets; buckets that have refilled are forgotten. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private calls = 0;

  async take(key: string, perMinute: number, now: number): Promise<Admission> {
    if (++this.calls % 1000 === 0) {
      for (const [k, b] of this.buckets) if (bucketIsFull(b, perMinute, now)) this.buckets.delete(k);
    }
    const { bucket, admission } = takeToken(this.buckets.get(key), perMinute, now);
    this.buckets.set(key, bucket);
    return admission;
  }
}

/** Today's count in one process: exact there (JavaScript runs one reservation at a time); the last KEPT_DAYS days kept. */
export class MemoryBudget implements Budget {
  private readonly days = new Map<string, DayUsage>();
  /** Running tasks and their deadlines. */
  private readonly running = new Map<string, number>();

  private day(now: number): DayUsage {
    const day = utcDay(now);
    let usage = this.days.get(day);
    if (!usage) {
      this.days.set(day, (usage = { day, generations: 0, refused: noRefusals() }));
      // Map order is insertion order, so the oldest days come first.
      for (const old of [...this.days.keys()].slice(0, -KEPT_DAYS)) this.days.delete(old);
    }
    return usage;
  }

  async reserve(limit: number, now: number, task?: RunningTask): Promise<Admission> {
    const today = this.day(now);
    const result = reserveFrom(today.generations, limit, now);
    today.generations = result.used;
    if (result.admission.ok && task) this.running.set(task.id, task.until);
    return result.admission;
  }

  async refused(kind: RefusalKind, now: number): Promise<void> {
    this.day(now).refused[kind]++;
  }

  async finished(id: string): Promise<void> {
    this.running.delete(id);
  }

  async usage(days: number, now: number): Promise<{ days: DayUsage[]; running: number }> {
    for (const [id, until] of this.running) if (until <= now) this.running.delete(id);
    return {
      days: lastUtcDays(days, now).map((day) => structuredClone(this.days.get(day)) ?? { day, generations: 0, refused: noRefusals() }),
      running: this.running.size,
    };
  }
}

/** The recent finished tasks of one process. */
export class MemoryTaskTimings implements TaskTimings {
  private samples: TimingSample[] = [];

  async recent(): Promise<TimingSample[]> {
    return this.samples;
  }

  async record(sample: TimingSample): Promise<void> {
    this.samples = withSample(this.samples, sample);
  }
}
