import type { ElementErrorCode } from '../protocol/wire.js';

export type NavtalkStatus = 'idle' | 'submitting' | 'started' | 'processing' | 'done' | 'failed';
export type NavtalkTrigger = 'visible' | 'load' | 'click' | 'manual';

export interface NavtalkStatusDetail {
  status: NavtalkStatus;
  taskId: string | null;
}
export interface NavtalkReadyDetail {
  resultUrl: string;
  taskId: string | null;
}
export interface NavtalkErrorDetail {
  code: ElementErrorCode;
  message: string;
  /** Seconds the proxy asked to wait before trying again (Retry-After), when it did. */
  retryAfter?: number;
}
export type NavtalkStatusEvent = CustomEvent<NavtalkStatusDetail>;
export type NavtalkReadyEvent = CustomEvent<NavtalkReadyDetail>;
export type NavtalkErrorEvent = CustomEvent<NavtalkErrorDetail>;
export interface NavtalkEventMap {
  'navtalk-status': NavtalkStatusEvent;
  'navtalk-ready': NavtalkReadyEvent;
  'navtalk-error': NavtalkErrorEvent;
}

/** Where a generation stands, as the element shows it. */
export interface GenerationUpdate {
  status: 'submitting' | 'started' | 'processing' | 'done';
  taskId: string | null;
  resultUrl: string | null;
}
