// The loading details and the error view, with their clock, styles and texts: loaded when a generation starts (or a
// video fails), so the first paint does without them.
import { css, html, nothing } from 'lit';
import type { NavtalkErrorDetail } from './events.js';
import type { NavtalkStrings } from './strings.js';

export { LATER_STRINGS } from './later-strings.js';
export { LoadingClock } from './loading-clock.js';

/** Fills `{seconds}` in a string. */
const fill = (text: string, seconds: number): string => text.replace('{seconds}', String(seconds));

/** The progress bar approaches 95 % with this time constant: about 87 % after 30 s. */
const PROGRESS_TAU_MS = 12_000;

/** The loading panel: elapsed seconds and the progress bar, under the status line (which the element renders). */
export function renderDetails(s: NavtalkStrings, elapsedMs: number) {
  // Only moves forward: a function of elapsed time that approaches 95 %.
  const progress = 0.95 * (1 - Math.exp(-elapsedMs / PROGRESS_TAU_MS));
  return html`<div class="panel">
    <span part="elapsed">${fill(s.elapsed, Math.floor(elapsedMs / 1000))}</span>
    <progress part="progress" max="100" .value=${Math.floor(progress * 100)} aria-label=${s.progress}></progress>
  </div>`;
}

/** The error box: what went wrong, how long to wait (Retry-After), and Try again where trying again can help. */
export function renderError(s: NavtalkStrings, error: NavtalkErrorDetail, waitSeconds: number, retry: () => void) {
  // Only a fix of the inputs helps invalid_input; its message, and NavTalk's reason for a failure, are worth reading.
  const fixable = error.code === 'invalid_input';
  return html`<div part="error">
    <slot name="error">
      <p>${s[error.code]}${waitSeconds > 0 ? ` ${fill(s.retryIn, waitSeconds)}` : ''}</p>
      ${fixable || error.code === 'generation_failed' ? html`<p class="detail">${error.message}</p>` : nothing}
    </slot>
    ${fixable ? nothing : html`<button part="retry" @click=${retry}>${s.retry}</button>`}
  </div>`;
}

const viewStyles = css`
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
  /* Under the status line (styles.ts), which keeps its place: the panel and what it holds are new when they show. */
  .panel {
    position: absolute;
    inset: auto 0 0;
    padding: 0.75em 1em;
    background: #000000b3;
    line-height: 1.4;
    text-align: right;
  }
  /* Keeps its width and its text's start as the seconds grow ("9 s" to "10 s"): right-aligned text would move (CLS). */
  [part='elapsed'] {
    display: inline-block;
    min-width: 6ch;
    text-align: left;
    font-variant-numeric: tabular-nums;
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
`;

/** Adds the views' styles to an avatar's shadow root, once. */
export function addViewStyles(root: ShadowRoot): void {
  // Every browser that runs this ES2022 code adopts constructed style sheets (Safari since 16.4).
  const sheet = viewStyles.styleSheet!;
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
