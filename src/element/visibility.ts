import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How far outside the viewport counts as near it: `trigger="visible"` starts generating there. */
const MARGIN = '50% 0px';

/** Whether the host is near the viewport, for `trigger="visible"` (when to load, apart from when to show). */
export class Visibility implements ReactiveController {
  visible = false;
  #observer?: IntersectionObserver;

  constructor(
    private readonly host: ReactiveControllerHost & Element,
    /** Called when it comes near (or leaves). */
    private readonly onChange: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Every browser that runs this ES2022 code has IntersectionObserver; a server render never connects.
    this.#observer = new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      this.onChange();
    }, { rootMargin: MARGIN });
    this.#observer.observe(this.host);
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.visible = false;
  }
}
