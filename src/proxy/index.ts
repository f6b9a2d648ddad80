/**
 * The portable NavTalk proxy: Web-standard code only (no Cloudflare, no Node), so it mounts as is in
 * Workers, Next.js route handlers, Hono, Deno, Bun, or Express through a Request/Response adapter.
 */
export { createProxyHandler, isReusableAnswer, taskSettings, consoleLog, type ProxyHandler, type ProxyHandlerOptions } from './handler.js';
export { configFromEnv, CONFIG_DEFAULTS, type ProxyConfig, type AuthMode, type ConfigVariable } from './config.js';
export { MemoryTaskStore, MemoryRateLimiter, MemoryBudget, MemoryTaskTimings } from './memory.js';
export {
  pollDelay, forecast, withSample, RECENT_TASKS, SPARSE_POLL_MS, MIN_POLL_MS, PRIOR,
  type Forecast, type TaskTimings, type TimingSample,
} from './schedule.js';
export { taskFeatures, textSeconds, audioSeconds, fetchAudioHead, type TaskFeatures, type FaceKind } from './speech.js';
export {
  TaskCoordinator, publicState, redactingLog, storedVideoUrl, FAILURE_TTL_MS, REFUSAL_TTL_MS,
  type TaskStore, type StartOptions, type TaskSlot, type TaskRecord, type TaskSettings, type StartOutcome, type Admit, type ProxyError,
  type ProxyLog, type CoordinatorDeps, type ForgetOutcome,
} from './tasks.js';
export {
  takeToken, reserveFrom, bucketIsFull, utcDay, nextUtcMidnight, lastUtcDays, noRefusals, clientKeyForAddress,
  KEPT_DAYS, USAGE_DAYS, REFUSAL_KINDS,
  type Admission, type Budget, type RateLimiter, type Bucket, type DayUsage, type RefusalKind, type RunningTask,
} from './limits.js';
export { createNavTalkClient, sanitizeUpstreamText, UpstreamError, type NavTalkClient, type NavTalkOptions, type UpstreamFailure, type UpstreamStatus } from './navtalk.js';
export { isTaskId, taskIdMaker } from './task-id.js';
export {
  MemoryResultStore, copyVideo, describeRequest, pageOf, urlAnswers, parseRange, CopyError, DEFAULT_COPY_LIMITS,
  type ResultStore, type StoredVideo, type StoredVideoInfo, type StoredResult, type ResultMeta, type ResultPage, type PutInfo,
  type ByteRange, type CopyLimits,
} from './results.js';
export {
  previewLoader, previewKey, isPreviewKey, PREVIEW_CACHE_CONTROL, PREVIEW_MAX_BYTES, PREVIEW_MISSING_MS, PREVIEW_FETCHES, PREVIEW_WAITING,
  MEMORY_PREVIEWS, type PreviewOutcome, type PreviewDeps,
} from './preview.js';
export { unsafeUrlReason } from './url-safety.js';
export { signRequest, verifyRequest, toBase64Url } from './signing.js';
