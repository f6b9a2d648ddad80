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

export const DEFAULT_STRINGS: NavtalkStrings = {
  submitting: 'Sending the request…',
  started: 'Queued: the video will start soon…',
  processing: 'Animating the face…',
  done: 'The video is ready.',
  failed: 'The video could not be made.',
  elapsed: '{seconds} s',
  progress: 'Video generation progress',
  play: 'Play',
  replay: 'Replay',
  unmute: 'Tap for sound',
  retry: 'Try again',
  retryIn: 'Try again in {seconds} s.',
  video: 'Talking avatar video',
  captions: 'Captions',
  invalid_input: 'This avatar is not set up correctly.',
  network: 'The video server could not be reached. Check your connection.',
  timeout: 'The video is taking too long.',
  rate_limited: 'Too many videos are being made right now.',
  unauthorized: 'This page is not allowed to make videos.',
  upstream_failed: 'The video service could not make this video.',
  generation_failed: 'The video could not be made.',
  proxy_error: 'The video server gave an unexpected answer.',
};

/** Fills `{seconds}` in a string. */
export const fill = (text: string, seconds: number): string => text.replace('{seconds}', String(seconds));
