import { fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/define.js';
import type { NavtalkAvatar, NavtalkErrorDetail, NavtalkStatus } from '../../../src/index.js';

/** Mounts <navtalk-avatar> with these attributes (set before it connects, as an HTML page would). */
export async function mount(attributes: Record<string, string | boolean>): Promise<NavtalkAvatar> {
  const el = document.createElement('navtalk-avatar');
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== false) el.setAttribute(name, value === true ? '' : value);
  }
  return fixture<NavtalkAvatar>(html`${el}`);
}

/** Every status the element reports from now on. */
export function statusLog(el: NavtalkAvatar): NavtalkStatus[] {
  const log: NavtalkStatus[] = [];
  el.addEventListener('navtalk-status', (e) => log.push(e.detail.status));
  return log;
}

/** Waits for the element's navtalk-error and returns its detail. */
export async function failure(el: NavtalkAvatar): Promise<NavtalkErrorDetail> {
  if (el.status === 'failed' && el.error) return el.error;
  return (await oneEvent(el, 'navtalk-error')).detail;
}

/** Waits for navtalk-ready and returns the result URL. */
export async function ready(el: NavtalkAvatar): Promise<string> {
  if (el.status === 'done' && el.resultUrl) return el.resultUrl;
  return (await oneEvent(el, 'navtalk-ready')).detail.resultUrl;
}

export const part = <T extends Element = HTMLElement>(el: NavtalkAvatar, name: string): T | null =>
  el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);

export const VISUAL = {
  'video-url': 'https://cdn.example.com/me.mp4',
  'image-url': 'https://cdn.example.com/me.png',
  character: 'navtalk.Leo',
} as const;
export const AUDIO = {
  'audio-url': 'https://cdn.example.com/hi.mp3',
  'audio-base64': 'UklGRiQAAABXQVZF',
  text: 'Welcome to our shop. Ask me anything!',
} as const;

/**
 * Two retries, in WebKitGTK only, for a test of several videos playing at once: it decodes them in software with
 * GStreamer, and now and then (about 1 run in 10 here, on an idle machine too) one stalls at readyState 2 for good.
 * The behaviour under test would fail every time, not now and then.
 */
export function retryWebKitDecodeStalls(test: Mocha.Context): void {
  if (navigator.userAgent.includes('WebKit') && !navigator.userAgent.includes('Chrome/')) test.retries(2);
}
