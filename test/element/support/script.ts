// The test proxy's scripting contract, shared by the Node middleware and the browser-side helper.
import type { ErrorInfo, TaskStatus } from '../../../src/protocol/index.js';

/** One scripted answer. With none of http/error/body/raw/drop set, the proxy answers normally (after delayMs). */
export interface Answer {
  /** HTTP status (default 200, or 500 with `error`). */
  http?: number;
  /** Answer `{error}`, the protocol's error body. */
  error?: ErrorInfo;
  /** Answer this JSON. */
  body?: unknown;
  /** Answer this text as application/json (garbled answers). */
  raw?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering; the client may abort meanwhile. */
  delayMs?: number;
  /** Send headers and half a body, then cut the connection (a network error the browser does not resend). */
  drop?: boolean;
}

export interface ProxyScript {
  /** Task status by time since its POST, in ms. Default: started, processing at 150, done at 300. */
  timeline?: Array<{ status: TaskStatus; at: number }>;
  /** video_url of done tasks. Default: the fixture clip. */
  videoUrl?: string;
  /** error of failed tasks. */
  failure?: ErrorInfo;
  /** Hold `wait` requests until the status changes (default true); false answers at once, like a simple proxy. */
  longPoll?: boolean;
  /** The video is already made: `?script=` lookups answer a redirect to `videoUrl` (default: 404, not made yet). */
  kept?: boolean;
  /** Serve `?preview=` (the fixture poster, default true); false answers it 404, as a proxy without the route. */
  previews?: boolean;
  /** Answers for the next POSTs / status GETs, in order, before normal answers resume. */
  post?: Answer[];
  poll?: Answer[];
}

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  body: unknown;
  /** Server clock, ms. */
  at: number;
  /** The client went away before the answer was sent (an aborted fetch). */
  aborted: boolean;
}

export const FIXTURE_VIDEO = '/test/fixtures/avatar.mp4';
export const DEFAULT_TIMELINE: ProxyScript['timeline'] = [
  { status: 'started', at: 0 },
  { status: 'processing', at: 150 },
  { status: 'done', at: 300 },
];
