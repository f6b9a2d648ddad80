// Loaded when a generation starts (the element's first paint does without it): checks the inputs, tries the
// proxy's copy of a finished script, else runs the task through the proxy.
import { TaskError, shareTask } from '../client/index.js';
import { attributeOf } from '../protocol/fields.js';
import { requestFromFields } from '../protocol/inputs.js';
import { validateFields } from '../protocol/schema.js';
import { VOICES } from '../protocol/navtalk.js';
import { scriptUrl } from '../protocol/wire.js';
import type { GenerateRequest } from '../protocol/schemas.js';
import type { GenerationUpdate, NavtalkErrorDetail } from './events.js';
import { DEFAULT_TIMEOUT_SECONDS, type AvatarInputs } from './inputs.js';
import type { Playback, VideoOptions } from './playback.js';

/** Longest wait for the proxy's copy of a finished script before asking for it the usual way. */
const PROBE_TIMEOUT_MS = 8000;

export interface GenerationOptions {
  /** What the proxy gave before did not work here: it checks it (and remakes it if gone). */
  recheck: boolean;
  /** The video made in advance would not load: messages about the inputs say so. */
  fallback: boolean;
  playback: Playback;
  /** Play the result once ready (autoplay, or play() was called): a kept copy starts as it loads, as a result-url's does. */
  play: boolean;
  /** How a new video is made, saying `text`. */
  videoOptions(text: string | undefined): VideoOptions;
}

export interface GenerationListener {
  /** The request is valid (its text is what the video will say); a kept copy is looked for first. */
  accepted(request: GenerateRequest): void;
  /** No kept copy: the proxy is asked to make the video (what the loading view counts the wait from). */
  asking(): void;
  update(update: GenerationUpdate): void;
  fail(error: NavtalkErrorDetail): void;
}

async function toBase64(audio: Blob | ArrayBuffer): Promise<string> {
  const bytes = new Uint8Array(audio instanceof ArrayBuffer ? audio : await audio.arrayBuffer());
  let binary = '';
  // Chunks keep String.fromCharCode under the engine's argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Tries a URL that may or may not be a video (a proxy's `?script=` answer): true once its metadata loads (the video
 * is kept as the playback's, ready to show), false if it errors or `timeoutMs` passes first (it is dropped).
 */
async function probe(playback: Playback, url: string, options: VideoOptions, play: boolean, timeoutMs: number): Promise<boolean> {
  const video = (playback.probing = playback.videoFor(url, options));
  // Its first frame is then there when it is shown; a miss (404) just refuses to play.
  if (play) void playback.play(video);
  const loaded = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const settle = (ok: boolean) => () => {
      clearTimeout(timer);
      resolve(ok);
    };
    video.addEventListener('loadedmetadata', settle(true), { once: true });
    video.addEventListener('error', settle(false), { once: true });
  });
  playback.probing = undefined;
  if (!loaded) {
    if (playback.media === video) playback.media = undefined;
    // Stops a fetch that is still going.
    video.removeAttribute('src');
    video.load();
  }
  return loaded;
}

const detailOf = (error: TaskError): NavtalkErrorDetail =>
  error.retryAfter === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, retryAfter: error.retryAfter };

/**
 * Generates one video: checks the inputs (a bad one fails here, costing no request), tries the proxy's copy of the
 * script (`?script=`, a plain GET the video itself makes: no preflight, no POST), else runs the task (shared with
 * identical avatars on the page). Returns the function that leaves it.
 */
export function startGeneration(host: AvatarInputs, options: GenerationOptions, on: GenerationListener): () => void {
  let left = false;
  let leave = () => {};
  const prefix = options.fallback ? 'result-url could not be loaded. ' : '';
  const fail = (message: string) => !left && on.fail({ code: 'invalid_input', message: prefix + message });
  void (async () => {
    const endpoint = host.endpointUrl();
    const written = host.endpoint?.trim();
    if (!endpoint) {
      return fail(written
        ? `endpoint must be an http(s) URL of your NavTalk proxy (got ${JSON.stringify(written)}).`
        : 'endpoint must be set to the URL of your NavTalk proxy.');
    }
    const fields = host.fields();
    if (host.audio) fields.audio_base64 = await toBase64(host.audio);
    const voices = new Set([...VOICES, ...(host.constructor as typeof AvatarInputs).voices]);
    const checked = validateFields(requestFromFields(fields), attributeOf, voices);
    if (left) return;
    if (!checked.ok) return fail(checked.message);
    const request = checked.value;
    on.accepted(request);
    on.update({ status: 'submitting', taskId: null, resultUrl: null });
    const timeoutMs = (host.timeout > 0 ? host.timeout : DEFAULT_TIMEOUT_SECONDS) * 1000;
    const kept = options.recheck ? null : scriptUrl(endpoint, request);
    if (kept && (await probe(options.playback, kept, options.videoOptions(request.content), options.play, Math.min(PROBE_TIMEOUT_MS, timeoutMs)))) {
      return left || on.update({ status: 'done', taskId: null, resultUrl: kept });
    }
    if (left) return;
    on.asking();
    leave = shareTask(
      { endpoint, body: request, timeoutMs, recheck: options.recheck },
      { update: (update) => on.update(update as GenerationUpdate), fail: (error) => on.fail(detailOf(error)) },
    );
  })();
  return () => {
    left = true;
    leave();
  };
}
