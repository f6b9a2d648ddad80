import type { ElementErrorCode } from '../protocol/wire.js';

/**
 * Every text the element shows or announces. Set `strings` to a partial object to translate some or all;
 * `{seconds}` is replaced with a number.
 */
export interface NavtalkStrings extends Record<ElementErrorCode, string> {
  /** Status line (announced politely to screen readers). */
  submitting: string;
  started: string;
  processing: string;
  done: string;
  failed: string;
  /** Elapsed time next to the progress bar. */
  elapsed: string;
  /** Accessible name of the progress bar. */
  progress: string;
  /** The button that starts a generation (trigger="click") or playback. */
  play: string;
  replay: string;
  /** Shown when the browser refused to autoplay with sound and the video plays muted. */
  unmute: string;
  retry: string;
  /** Appended to the rate_limited message while the proxy's Retry-After runs. */
  retryIn: string;
  /** Accessible name of the video and label of the captions track. */
  video: string;
  captions: string;
}

/** What the first paint and playback show; the rest (later-strings.ts) comes with the views that show it. */
export const FIRST_STRINGS = {
  play: 'Play',
  replay: 'Replay',
  unmute: 'Tap for sound',
  video: 'Talking avatar video',
  captions: 'Captions',
  done: 'The video is ready.',
} satisfies Partial<NavtalkStrings>;
