import { TaskError } from './errors.js';
import { runTask, type RunOptions, type TaskUpdate } from './run.js';

export interface TaskListener {
  update(update: TaskUpdate): void;
  fail(error: TaskError): void;
}

interface Entry {
  listeners: Set<TaskListener>;
  controller: AbortController;
  last?: TaskUpdate;
}

/** Tasks in flight on this page, by endpoint and canonical request: identical avatars share one. */
const tasks = new Map<string, Entry>();

/**
 * Subscribes to the task for this endpoint and request, starting it unless an identical one is running
 * (a late subscriber first gets the latest update). Returns the unsubscribe function: the last subscriber
 * to leave aborts the task. A shared task keeps the timeout of the subscriber that started it.
 */
export function shareTask(options: Omit<RunOptions, 'signal' | 'onUpdate'>, listener: TaskListener): () => void {
  // A validated body lists its fields in the field table's order, so equal requests stringify alike.
  const key = `${options.endpoint}\n${JSON.stringify(options.body)}`;
  let entry = tasks.get(key);
  if (entry) {
    if (entry.last) listener.update(entry.last);
    entry.listeners.add(listener);
  } else {
    const created: Entry = { listeners: new Set([listener]), controller: new AbortController() };
    tasks.set(key, (entry = created));
    const each = (call: (l: TaskListener) => void) => [...created.listeners].forEach(call);
    // Forgotten as soon as it settles, so an avatar arriving later starts afresh instead of joining a dead task.
    const forget = () => tasks.get(key) === created && tasks.delete(key);
    runTask({
      ...options,
      signal: created.controller.signal,
      onUpdate: (update) => {
        created.last = update;
        each((l) => l.update(update));
      },
    }).then(forget, (error: unknown) => {
      forget();
      if (created.controller.signal.aborted) return;
      const failure = error instanceof TaskError ? error : new TaskError('proxy_error', String(error));
      each((l) => l.fail(failure));
    });
  }
  const joined = entry;
  return () => {
    if (!joined.listeners.delete(listener) || joined.listeners.size > 0) return;
    joined.controller.abort();
    if (tasks.get(key) === joined) tasks.delete(key);
  };
}
