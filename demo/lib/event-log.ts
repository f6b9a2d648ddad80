/** A visible log of an element's events (`.log` in site.css), newest first. */
import { html, render } from 'lit';

export const NAVTALK_EVENTS = ['navtalk-status', 'navtalk-ready', 'navtalk-error'] as const;
const MAX_ENTRIES = 100;

interface Entry {
  seconds: number;
  type: string;
  detail: unknown;
}

export class EventLog {
  #entries: Entry[] = [];
  #since = performance.now();

  constructor(private readonly list: HTMLElement) {
    this.#render();
  }

  /** Logs the element's events from now on. */
  watch(target: EventTarget): void {
    for (const type of NAVTALK_EVENTS) {
      target.addEventListener(type, (event) => this.add(type, (event as CustomEvent).detail));
    }
  }

  add(type: string, detail: unknown): void {
    const seconds = (performance.now() - this.#since) / 1000;
    this.#entries = [{ seconds, type, detail }, ...this.#entries].slice(0, MAX_ENTRIES);
    this.#render();
  }

  /** Empties the log and counts time from now. */
  clear(): void {
    this.#entries = [];
    this.#since = performance.now();
    this.#render();
  }

  #render(): void {
    render(this.#entries.map((e) => html`<li>
      <time>${e.seconds.toFixed(1)}s</time>
      <span class="log__name" data-event=${e.type}>${e.type}</span>
      <span class="log__detail">${JSON.stringify(e.detail)}</span>
    </li>`), this.list);
  }
}
