import type { MockNavTalk } from '../../src/mock/server.js';
import { sleep } from './stats.js';

/**
 * Finishes each task of a run (its script contains `stamp`) on the mock (mock.complete) at a random instant from
 * `afterMs` to `afterMs + spreadMs` after it was created; `onTask` sees each task as it appears. Polls the mock's
 * in-process task list; the returned function stops it.
 */
export function finisher(mock: MockNavTalk, stamp: string, afterMs: number, spreadMs: number, onTask: (taskId: string) => void = () => {}) {
  const scheduled = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const task of mock.tasks()) {
        if (scheduled.has(task.task_id) || !String(task.request.content).includes(stamp)) continue;
        scheduled.add(task.task_id);
        onTask(task.task_id);
        const at = task.created_at + afterMs + Math.random() * spreadMs;
        timers.push(setTimeout(() => mock.complete(task.task_id), Math.max(0, at - Date.now())));
      }
      await sleep(10);
    }
  })();
  return async () => {
    running = false;
    await loop;
    timers.forEach(clearTimeout);
  };
}
