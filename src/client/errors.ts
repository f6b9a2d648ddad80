import { PROXY_TO_ELEMENT_CODE, readErrorBody, type ElementErrorCode } from '../protocol/wire.js';
import { parseRetryAfter } from './timing.js';

/** Why a task ended without a video, in the element's terms. */
export class TaskError extends Error {
  override name = 'TaskError';
  constructor(
    readonly code: ElementErrorCode,
    message: string,
    /** Seconds to wait before trying again, when the proxy said so (Retry-After). */
    readonly retryAfter?: number,
    /** The HTTP status of the answer, when there was one. */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** The element's code for a proxy error code, or undefined for a code the protocol does not define. */
export const knownCode = (proxyCode: string | undefined): ElementErrorCode | undefined =>
  proxyCode !== undefined && Object.hasOwn(PROXY_TO_ELEMENT_CODE, proxyCode)
    ? PROXY_TO_ELEMENT_CODE[proxyCode as keyof typeof PROXY_TO_ELEMENT_CODE]
    : undefined;

const codeOfStatus = (httpStatus: number): ElementErrorCode =>
  httpStatus === 401 || httpStatus === 403 ? 'unauthorized' : httpStatus === 429 ? 'rate_limited' : 'proxy_error';

/** The error a non-2xx proxy answer stands for. Garbled bodies still get a code from the status. */
export function errorFromResponse(response: Response, json: unknown): TaskError {
  const info = readErrorBody(json);
  return new TaskError(
    knownCode(info?.code) ?? codeOfStatus(response.status),
    info?.message ?? `The proxy answered HTTP ${response.status}.`,
    parseRetryAfter(response.headers.get('retry-after'), Date.now()),
    response.status,
  );
}
