import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How often the loading view and the retry countdown move on. */
const TICK_MS = 250;

/**
 * The clock the loading view and the retry countdown read: when the generation started, when a retry is allowed,
 * and now. It ticks (updating the host) only while something shows it, and stops when the host leaves the page.
 */
export class LoadingClock implements ReactiveController {
  now = 0;
  startedAt = 0;
  retryAt = 0;
  #ticker?: ReturnType<typeof setInterval>;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** The proxy is asked to make the video now: the wait the loading view shows starts. */
  start(): void {
    this.now = this.startedAt = Date.now();
  }

  /** Nothing counts yet (the element looks for a kept copy, its video loading as a result-url's would). */
  hold(): void {
    this.startedAt = 0;
  }

  /** A failure now; a retry is allowed after `seconds` (Retry-After), or at once. */
  failed(seconds?: number): void {
    this.now = Date.now();
    this.retryAt = seconds ? this.now + seconds * 1000 : 0;
  }

  /** Milliseconds since the proxy was asked (0 while held). */
  get elapsed(): number {
    return this.startedAt && Math.max(0, this.now - this.startedAt);
  }

  /** Whole seconds until a retry is allowed (0 when it is). */
  get retryWait(): number {
    return Math.max(0, Math.ceil((this.retryAt - this.now) / 1000));
  }

  /** Ticks while `on`: something on screen reads the clock. */
  run(on: boolean): void {
    if (on && !this.#ticker) {
      this.#ticker = setInterval(() => {
        this.now = Date.now();
        this.host.requestUpdate();
      }, TICK_MS);
    }
    if (!on && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  hostDisconnected(): void {
    this.run(false);
  }
}
