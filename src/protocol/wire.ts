
/** Statuses of a task, as NavTalk and the proxy protocol report them. */
export const TASK_STATUSES = ['started', 'processing', 'done', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const isTerminal = (status: TaskStatus): boolean => status === 'done' || status === 'failed';

/** Error codes the element reports in `navtalk-error`. */
export const ELEMENT_ERROR_CODES = [
  'invalid_input', 'network', 'timeout', 'rate_limited', 'unauthorized', 'upstream_failed', 'generation_failed', 'proxy_error',
] as const;
export type ElementErrorCode = (typeof ELEMENT_ERROR_CODES)[number];

/**
 * Error codes a proxy answers with, in `{error: {code, message}}`. The element folds them into its own
 * codes (PROXY_TO_ELEMENT_CODE); hosts see both.
 */
export const PROXY_TO_ELEMENT_CODE = {
  invalid_input: 'invalid_input',
  invalid_json: 'invalid_input',
  unsafe_url: 'invalid_input',
  payload_too_large: 'invalid_input',
  // NavTalk itself refused the request (a 4xx from /generate): the input must change, trying again will not help.
  upstream_rejected: 'invalid_input',
  unsupported_media_type: 'proxy_error',
  method_not_allowed: 'proxy_error',
  not_found: 'proxy_error',
  origin_not_allowed: 'unauthorized',
  signature_required: 'unauthorized',
  signature_invalid: 'unauthorized',
  rate_limited: 'rate_limited',
  budget_exhausted: 'rate_limited',
  upstream_failed: 'upstream_failed',
  // NavTalk accepted the request, then failed the task (with its reason): trying again may work.
  generation_failed: 'generation_failed',
  timeout: 'timeout',
  unavailable: 'proxy_error',
  misconfigured: 'proxy_error',
} as const satisfies Record<string, ElementErrorCode>;
export type ProxyErrorCode = keyof typeof PROXY_TO_ELEMENT_CODE;

export interface ErrorInfo {
  code: string;
  message: string;
}

/** `POST {endpoint}` and `GET {endpoint}?task_id=` answer with this (taskStateSchema in schemas.ts). */
export interface TaskState {
  task_id: string;
  status: TaskStatus;
  video_url?: string;
  error?: ErrorInfo;
}

/** Every non-2xx proxy answer carries this body (errorBodySchema in schemas.ts). */
export interface ErrorBody {
  error: ErrorInfo;
}

// The browser reads proxy answers with these instead of the zod schemas (schemas.ts), so the element's bundle carries
// no zod (it would be 6 KB of a 14 KB budget). test/protocol checks that both accept the same answers.
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const readError = (value: unknown): ErrorInfo | undefined =>
  isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string'
    ? { code: value.code, message: value.message }
    : undefined;

/** A proxy answer as a TaskState (known keys only), or undefined if it is not one; what taskStateSchema accepts. */
export function readTaskState(value: unknown): TaskState | undefined {
  if (!isRecord(value) || typeof value.task_id !== 'string' || value.task_id === '') return undefined;
  if (!(TASK_STATUSES as readonly unknown[]).includes(value.status)) return undefined;
  const state: TaskState = { task_id: value.task_id, status: value.status as TaskStatus };
  if (value.video_url !== undefined) {
    if (typeof value.video_url !== 'string') return undefined;
    state.video_url = value.video_url;
  }
  if (value.error !== undefined) {
    const error = readError(value.error);
    if (!error) return undefined;
    state.error = error;
  }
  return state;
}

/** The `error` of a non-2xx proxy answer, or undefined if the body is not an error body; what errorBodySchema accepts. */
export const readErrorBody = (value: unknown): ErrorInfo | undefined => (isRecord(value) ? readError(value.error) : undefined);

/**
 * Query parameters. Status request: `task_id`, `wait`, and `status`, the status the client last saw (for
 * long-polls). `GET ?video=` serves a stored video. `GET ?preview=` serves a character's preview image (an optional
 * part of the protocol). `POST ?recheck=1`: what the client was given did not work for it, a video it could not load
 * (the proxy checks it, and makes it again only if it is gone) or a failure (Try again: the proxy makes it again,
 * once however many clients ask at the same moment).
 */
export const QUERY = { taskId: 'task_id', wait: 'wait', status: 'status', video: 'video', recheck: 'recheck', preview: 'preview' } as const;

/**
 * Where a proxy serves a built-in character's preview image: `{endpoint}?preview=NAME`, a plain GET an `<img>` can
 * load, so pages fetch it from the site's own proxy and never from NavTalk's host.
 */
export function previewUrl(endpoint: string, characterName: string): string {
  const url = new URL(endpoint);
  url.searchParams.set(QUERY.preview, characterName);
  return url.href;
}
/** Longest long-poll a client asks for, in seconds. */
export const MAX_WAIT_SECONDS = 25;
