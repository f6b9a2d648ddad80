import { css } from 'lit';

// Adopted stylesheets (Lit static styles): no <style> element or style attribute, so a strict
// style-src CSP needs no nonce. The custom properties are the public theming surface.
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
  @media (prefers-reduced-motion: no-preference) {
    :host([status='submitting']) img,
    :host([status='started']) img,
    :host([status='processing']) img {
      animation: breathe 5s ease-in-out infinite alternate;
    }
  }
  @keyframes breathe {
    to {
      transform: scale(1.04);
    }
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
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
  .panel {
    position: absolute;
    inset: auto 0 0;
    padding: 0.75em 1em;
    background: #000000b3;
  }
  .row {
    display: flex;
    justify-content: space-between;
    gap: 1em;
  }
  [part='progress'] {
    appearance: none;
    display: block;
    width: 100%;
    height: 4px;
    margin-top: 0.5em;
    border: 0;
    border-radius: 2px;
    background: #ffffff40;
    overflow: hidden;
  }
  [part='progress']::-webkit-progress-bar {
    background: transparent;
  }
  [part='progress']::-webkit-progress-value {
    background: var(--_accent);
  }
  [part='progress']::-moz-progress-bar {
    background: var(--_accent);
  }
  [part='error'] {
    position: absolute;
    inset: 50% 1em auto;
    translate: 0 -50%;
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 0.75em;
    padding: 1em;
    border-radius: calc(var(--navtalk-radius, 12px) * 0.75);
    background: #000000bf;
    text-align: center;
  }
  p {
    margin: 0;
  }
  .detail {
    font-size: 0.85em;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
