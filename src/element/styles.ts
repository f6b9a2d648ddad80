import { css } from 'lit';

// Adopted stylesheets (Lit static styles): no <style> element or style attribute, so a strict
// style-src CSP needs no nonce. The custom properties are the public theming surface. What the first paint and
// playback need; the loading details and the error view bring theirs (views.ts).
export const styles = css`
  :host {
    --_accent: var(--navtalk-accent, #4f46e5);
    display: block;
    position: relative;
    overflow: hidden;
    isolation: isolate;
    aspect-ratio: var(--navtalk-aspect-ratio, 1);
    border-radius: var(--navtalk-radius, 12px);
    background: var(--navtalk-background, #1e2230);
    color: var(--navtalk-foreground, #fff);
    font: var(--navtalk-font, 500 15px/1.4 system-ui, sans-serif);
  }
  :host([hidden]) {
    display: none;
  }
  img,
  video,
  ::slotted([slot='poster']) {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: var(--navtalk-object-fit, cover);
  }
  /* Text only: a button centres it by itself. */
  button {
    border: 0;
    border-radius: 999px;
    padding: 0.6em 1.2em;
    background: var(--_accent);
    color: var(--navtalk-accent-foreground, #fff);
    font: inherit;
    cursor: pointer;
    box-shadow: 0 2px 10px #00000059;
  }
  button:hover {
    filter: brightness(1.12);
  }
  button:focus-visible {
    outline: 3px solid var(--navtalk-focus-ring, #fff);
    outline-offset: 2px;
  }
  .center {
    position: absolute;
    left: 50%;
    top: 50%;
    translate: -50% -50%;
  }
  [part='unmute'] {
    position: absolute;
    left: 0.75em;
    top: 0.75em;
  }
  /*
   * The live region is always in the place the loading panel (views.ts) shows it, only transparent until then: an
   * element that moves when it appears is a layout shift (CLS), and a transparent one is still read out. Placed by
   * its top, so that its text coming and going moves nothing either.
   */
  [part='status'] {
    position: absolute;
    left: 1em;
    right: 4.5em;
    top: calc(100% - 2.65em - 4px);
    line-height: 1.4;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    opacity: 0;
  }
  .shown {
    opacity: 1;
  }
`;
