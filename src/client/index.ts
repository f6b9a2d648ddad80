export { TaskError, knownCode, errorFromResponse } from './errors.js';
export { BACKOFF, backoffDelay, parseRetryAfter, sleep } from './timing.js';
export { MAX_POLL_FAILURES, browserEnv, runTask, type RunOptions, type RunnerEnv, type TaskUpdate } from './run.js';
export { shareTask, type TaskListener } from './shared.js';
