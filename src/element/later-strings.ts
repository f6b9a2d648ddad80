import type { NavtalkStrings } from './strings.js';

/** The texts of the loading and error views, loaded with them (views.ts). */
export const LATER_STRINGS = {
  submitting: 'Sending the request…',
  started: 'Queued: the video will start soon…',
  processing: 'Animating the face…',
  failed: 'The video could not be made.',
  elapsed: '{seconds} s',
  progress: 'Video generation progress',
  retry: 'Try again',
  retryIn: 'Try again in {seconds} s.',
  invalid_input: 'This avatar is not set up correctly.',
  network: 'The video server could not be reached. Check your connection.',
  timeout: 'The video is taking too long.',
  rate_limited: 'Too many videos are being made right now.',
  unauthorized: 'This page is not allowed to make videos.',
  upstream_failed: 'The video service could not make this video.',
  generation_failed: 'The video could not be made.',
  proxy_error: 'The video server gave an unexpected answer.',
} satisfies Partial<NavtalkStrings>;
