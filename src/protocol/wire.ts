import { QUERY } from './routes.js';
import type { GenerateRequest } from './schemas.js';

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

// QUERY and previewUrl are in routes.ts, which the element's first chunk carries without the rest of this module.
export { QUERY, previewUrl } from './routes.js';

/**
 * The longest script URL: 8000 characters. Browsers take far longer URLs (Chromium 2 MB), but the hosts in front of a
 * proxy do not: Cloudflare refuses a URL over 16 KB (414) and Node's default header limit is 16 KB for the request
 * line and every header together, so half of that leaves room for the cookies and other headers a page's request
 * carries. A longer request (long text in a script whose every byte counts three times, as CJK text does) is POSTed.
 */
export const MAX_SCRIPT_URL_LENGTH = 8000;

/**
 * Where a proxy serves the finished video of `request` (a valid request, as the element sends it in a POST), for a
 * `<video>` to load directly: `{endpoint}?script=` and the base64url (no padding) of the UTF-8 of
 * `JSON.stringify(request)`. The proxy checks it as the POST of that body and answers the video (or a redirect to it)
 * only when it is already made, else an error (never starting one): the page then POSTs. A media element's GET needs
 * no preflight, so a video the proxy keeps starts playing after one request. Null when the request has
 * `audio_base64` (too large for a URL) or the URL would be longer than MAX_SCRIPT_URL_LENGTH: POST it.
 */
export function scriptUrl(endpoint: string, request: GenerateRequest): string | null {
  if (request.audio_base64 !== undefined) return null;
  let binary = '';
  for (const byte of new TextEncoder().encode(JSON.stringify(request))) binary += String.fromCharCode(byte);
  const url = new URL(endpoint);
  url.searchParams.set(QUERY.script, btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  return url.href.length > MAX_SCRIPT_URL_LENGTH ? null : url.href;
}

/**
 * The request a `?script=` value carries (what scriptUrl encodes), as parsed JSON for the proxy to check as it checks
 * a POST body; undefined when it is not base64url (no padding) of UTF-8 JSON, or longer than any script URL.
 */
export function readScriptParam(value: string): unknown | undefined {
  // A length of 4n+1 is no base64 at all; the character test keeps atob's leniency (spaces, padding) out.
  if (value.length > MAX_SCRIPT_URL_LENGTH || value.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  try {
    const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

/** Longest long-poll a client asks for, in seconds. */
export const MAX_WAIT_SECONDS = 25;
