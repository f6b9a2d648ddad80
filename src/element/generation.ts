import type { ReactiveController } from 'lit';
import type { GenerationUpdate, NavtalkErrorDetail, NavtalkEventMap, NavtalkStatus } from './events.js';
import type { AvatarInputs } from './inputs.js';
import type { LoadingClock } from './loading-clock.js';
import { reducedMotion, type Playback, type VideoOptions } from './playback.js';
import { Visibility } from './visibility.js';

export const LOADING: readonly NavtalkStatus[] = ['submitting', 'started', 'processing'];

/** What the controller needs of the element's view. */
export interface GenerationView {
  /** How a new video is made (VideoOptions), saying `text`. */
  videoOptions(text: string | undefined): VideoOptions;
  /** Loads the views (loading details, errors), which every state past idle shows, and their clock. */
  loadViews(): Promise<LoadingClock>;
}

/**
 * When and how the element generates, and where it stands: the trigger (load, near the viewport, a click, a call),
 * a video made in advance and its fallback, the run through the proxy (generate.ts, in a chunk loaded when the first
 * generation starts), cancel and retry, and the events that report it. The element renders what this holds.
 */
export class Generation implements ReactiveController {
  status: NavtalkStatus = 'idle';
  taskId: string | null = null;
  resultUrl: string | null = null;
  error: NavtalkErrorDetail | null = null;
  /** `result-url`: a video made in advance, played with no proxy call. */
  given: string | null = null;
  /** cancel() was called: idle shows a Play button whatever the trigger (but `manual`). */
  cancelled = false;
  /** The text spoken in the current video, for its captions. */
  spokenText?: string;
  /** Bumped by every start and stop, so answers for an older run are ignored. */
  #run = 0;
  #leave?: () => void;
  /** The automatic trigger already fired for the current inputs (or the visitor cancelled). */
  #autoDone = false;
  #playWhenReady = false;
  /** request() was called: start at the next update, after input changes are applied. */
  #wanted = false;
  /** What the proxy gave did not work here (a video that would not load, a failure): the next generation has it rechecked. */
  #recheck = false;
  /** The `result-url` video would not load, so the inputs are generated instead. */
  #fallback = false;
  /** When to load: near the viewport, for `trigger="visible"`. */
  #visibility: Visibility;

  constructor(
    private readonly host: AvatarInputs,
    private readonly playback: Playback,
    private readonly view: GenerationView,
  ) {
    host.addController(this);
    this.#visibility = new Visibility(host, () => this.autoStart());
  }

  get loading(): boolean {
    return LOADING.includes(this.status);
  }

  /** Generates at the next update (and plays once ready if `play`); nothing while a generation is running. */
  request(play = false): void {
    if (this.loading) return;
    this.#playWhenReady ||= play;
    // After a failure this is a Try again: the proxy would otherwise answer with the failure it remembers.
    if (this.status === 'failed') this.#recheck = true;
    this.#wanted = true;
    this.host.requestUpdate();
  }

  cancel(): void {
    this.#stop();
    this.#autoDone = this.cancelled = true;
    this.#playWhenReady = false;
    if (this.loading) this.#setStatus('idle', null);
  }

  /** Not to play once ready after all (pause() before there is a video). */
  holdPlay(): void {
    this.#playWhenReady = false;
  }

  /** The inputs changed after the first render: back to idle, to start again as the trigger says. */
  inputsChanged(): void {
    // Lit batches changes made in one task, so several attributes set together make one request.
    this.#stop();
    this.#autoDone = this.cancelled = this.#recheck = this.#fallback = false;
    this.#playWhenReady &&= this.#wanted;
    this.error = null;
    this.#setResult(null, null);
    this.#setStatus('idle', null);
  }

  hostConnected(): void {
    const { host, given } = this;
    // Moved in the DOM: a generation aborted by the disconnect starts again.
    if (host.hasUpdated) this.autoStart();
    else if (given && host.when === 'load') {
      // When to load is now, before the first render: a video made in advance starts fetching (and playing) at
      // once, as a bare <video> would, and the first render (deferred by the element) adopts it.
      const video = this.playback.videoFor(given, this.view.videoOptions(this.#givenText()));
      if (this.#autoplay()) void this.playback.play(video);
    }
  }

  hostDisconnected(): void {
    if (!this.loading) return;
    this.#stop();
    this.#autoDone = false;
    this.#setStatus('idle', null);
  }

  hostUpdate(): void {
    if (this.#wanted) {
      this.#wanted = false;
      void this.#start();
    } else {
      this.autoStart();
    }
    if (this.host.getAttribute('status') !== this.status) this.host.setAttribute('status', this.status);
  }

  /** Starts a generation if the trigger says so now. */
  autoStart(): void {
    const { host } = this;
    if (!host.isConnected || this.#autoDone || this.status !== 'idle') return;
    if (host.when === 'load' || (host.when === 'visible' && this.#visibility.visible)) {
      this.#autoDone = true;
      void this.#start();
    }
  }

  /** The result's video could not be loaded. */
  videoFailed(video: HTMLVideoElement): void {
    if (video.getAttribute('src') === this.given && !this.#fallback) {
      // The video made in advance is gone: make it from the inputs (an avatar without any fails, saying so).
      this.#fallback = true;
      return void this.#start();
    }
    this.#fail({ code: 'upstream_failed', message: 'The generated video could not be loaded.' });
  }

  #stop(): void {
    this.#run++;
    this.#leave?.();
    this.#leave = undefined;
  }

  async #start(): Promise<void> {
    const { given } = this;
    this.#stop();
    const run = this.#run;
    this.#autoDone = true;
    this.cancelled = false;
    this.error = null;
    this.#setResult(null, null);
    if (given && !this.#fallback) {
      this.#givenText();
      return this.#onUpdate({ status: 'done', taskId: null, resultUrl: given });
    }
    // The generation code and the views it leads to load together, once per page (a chunk beside the element).
    const [{ startGeneration }, clock] = await Promise.all([import('./later.js'), this.view.loadViews()]);
    if (run !== this.#run) return;
    const recheck = this.#recheck;
    this.#recheck = false;
    const options = {
      recheck, fallback: this.#fallback, playback: this.playback, play: this.#playWhenReady || this.#autoplay(), videoOptions: this.view.videoOptions,
    };
    this.#leave = startGeneration(this.host, options, {
      accepted: (request) => {
        this.spokenText = request.content;
        clock.hold();
      },
      asking: () => clock.start(),
      update: (update) => this.#onUpdate(update),
      fail: (error) => this.#fail(error),
    });
  }

  #onUpdate({ status, taskId, resultUrl }: GenerationUpdate): void {
    if (status !== 'done') return this.#setStatus(status, taskId);
    this.#leave = undefined;
    this.#setResult(resultUrl, taskId);
    this.#setStatus('done', taskId);
    this.#emit('navtalk-ready', { resultUrl: resultUrl!, taskId });
  }

  /** Fails with `error`, shown (and announced) once the error view is there. */
  #fail(error: NavtalkErrorDetail): void {
    this.#stop();
    const run = this.#run;
    void this.view.loadViews().then((clock) => {
      if (run !== this.#run) return;
      clock.failed(error.retryAfter);
      this.error = error;
      this.#setStatus('failed');
      this.#emit('navtalk-error', error);
    });
  }

  #setStatus(status: NavtalkStatus, taskId = this.taskId): void {
    this.taskId = taskId;
    this.host.requestUpdate();
    if (status === this.status) return;
    this.status = status;
    this.#emit('navtalk-status', { status, taskId });
  }

  #setResult(resultUrl: string | null, taskId: string | null): void {
    this.resultUrl = resultUrl;
    this.taskId = taskId;
    this.playback.show(resultUrl, this.#playWhenReady || this.#autoplay());
    if (resultUrl) this.#playWhenReady = false;
    this.host.requestUpdate();
  }

  #autoplay(): boolean {
    return this.host.autoplay && !reducedMotion();
  }

  /** What a video made in advance says (its `text`, if any), now the spoken text. */
  #givenText(): string | undefined {
    return (this.spokenText = this.host.text?.trim() ? this.host.text : undefined);
  }

  #emit<K extends keyof NavtalkEventMap>(type: K, detail: NavtalkEventMap[K]['detail']): void {
    this.host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}
