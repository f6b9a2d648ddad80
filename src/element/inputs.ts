import { LitElement, type PropertyDeclarations } from 'lit';
import type { ParsingMode } from '../protocol/checks.js';
import { FIELDS, FIELD_NAMES, attributeOf, isWholeNumberField, type RawFields } from '../protocol/fields.js';
import type { NavtalkTrigger } from './events.js';
import type { NavtalkStrings } from './strings.js';

export const DEFAULT_TIMEOUT_SECONDS = 180;
const TRIGGERS: readonly NavtalkTrigger[] = ['visible', 'load', 'click', 'manual'];

/** The camelCase property of each request field: its attribute, camelCased (`bbox-shift` -> `bboxShift`). */
const propertyOf = (attribute: string) => attribute.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** Properties whose change makes a new request. */
export const INPUTS = new Set(['endpoint', 'audio', 'resultUrl', ...FIELD_NAMES.map((f) => propertyOf(attributeOf(f)))]);

/** Whole-number attributes: empty means unset; anything else is kept as a number (NaN if unreadable). */
const wholeNumber = {
  fromAttribute: (value: string | null) => (value === null || value.trim() === '' ? undefined : Number(value)),
};

/** The request fields' properties, from the field table: `image-url` -> `imageUrl`, and so on. */
const FIELD_PROPERTIES: PropertyDeclarations = Object.fromEntries(
  FIELD_NAMES.map((field) => {
    const attribute = FIELDS[field];
    return [propertyOf(attribute), { attribute, converter: isWholeNumberField(field) ? wholeNumber : undefined }];
  }),
);

/**
 * The element's inputs and settings, as attributes and properties: the request fields of the protocol's field table,
 * the proxy, and how and when to play. NavtalkAvatar adds the behaviour and the view.
 *
 * @attr endpoint - URL of the proxy that holds the NavTalk key (relative URLs resolve against the page).
 * @attr character - Built-in character (`character_name`), e.g. `navtalk.Leo`. One visual source.
 * @attr image-url - Public image of a face (`image_url`). One visual source.
 * @attr video-url - Public MP4/MOV of a face (`video_url`). One visual source.
 * @attr text - Text to speak (`content`); needs `voice`. One audio source.
 * @attr voice - TTS voice for `text` (`voice`): one of NavTalk's 11 (alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer, verse), or one added to `NavtalkAvatar.voices`.
 * @attr audio-url - Public MP3/WAV to lip-sync (`audio_url`). One audio source.
 * @attr audio-base64 - Base64 of an audio file (`audio_base64`). One audio source; the `audio` property takes a Blob instead.
 * @attr bbox-shift - Whole number -9..9 (`bbox_shift`): moves the face crop down (+) or up (-).
 * @attr extra-margin - Whole number 0..50 (`extra_margin`): extra pixels around the face crop.
 * @attr parsing-mode - `jaw` or `raw` (`parsing_mode`).
 * @attr left-cheek-width - Whole number 50..150 (`left_cheek_width`).
 * @attr right-cheek-width - Whole number 50..150 (`right_cheek_width`).
 * @attr signature - Signature of the request made by navtalk-sign, for proxies in signed mode (`signature`).
 * @attr autoplay - Play when ready: with sound if the browser allows, else muted with a "Tap for sound" button.
 * @attr muted - Mute the video (sets the video's `muted` property).
 * @attr loop - Loop the video.
 * @attr controls - Show the browser's video controls.
 * @attr poster - Image shown before the video (default: `image-url`, else the character's preview from the proxy, `endpoint?preview=`).
 * @attr trigger - When to generate: `visible` (default, near the viewport), `load`, `click` (a Play button) or `manual` (`generate()` only).
 * @attr timeout - Seconds to wait for a video before giving up with `timeout` (default 180).
 * @attr result-url - A video made in advance (e.g. by `navtalk-avatar prerender`): played without calling the proxy. If it cannot load, the avatar generates from its inputs instead (or fails when it has none).
 * @attr result-hash - Written by `navtalk-avatar prerender` beside `result-url` (the inputs it was made from, for `navtalk-avatar check`); the element ignores it.
 */
export class AvatarInputs extends LitElement {
  static override properties: PropertyDeclarations = {
    ...FIELD_PROPERTIES,
    endpoint: {},
    resultUrl: { attribute: 'result-url', noAccessor: true },
    audio: { attribute: false },
    autoplay: { type: Boolean },
    muted: { type: Boolean },
    loop: { type: Boolean },
    controls: { type: Boolean },
    poster: {},
    trigger: {},
    timeout: { type: Number },
    strings: { attribute: false },
  };

  /**
   * Voices `voice` may name besides NavTalk's documented 11, page-wide: add one NavTalk introduced after this release
   * with `customElements.get('navtalk-avatar').voices.add('name')` (the proxy's ALLOWED_VOICES must list it too).
   * (The 11 load with the request code, which checks them; the first paint does without them.)
   */
  static voices: Set<string> = new Set();

  // Reactive properties are declared in `properties` above; these lines only type them.
  declare endpoint?: string;
  declare character?: string;
  declare imageUrl?: string;
  declare videoUrl?: string;
  declare text?: string;
  declare voice?: string;
  declare audioUrl?: string;
  declare audioBase64?: string;
  /** Audio to lip-sync, sent as `audio_base64` (takes the place of `audio-base64`). */
  declare audio?: Blob | ArrayBuffer | null;
  declare bboxShift?: number;
  declare extraMargin?: number;
  declare parsingMode?: ParsingMode;
  declare leftCheekWidth?: number;
  declare rightCheekWidth?: number;
  declare signature?: string;
  autoplay = false;
  muted = false;
  loop = false;
  controls = false;
  declare poster?: string;
  trigger: NavtalkTrigger = 'visible';
  timeout = DEFAULT_TIMEOUT_SECONDS;
  /** Texts to replace, e.g. for another language (see NavtalkStrings). */
  strings: Partial<NavtalkStrings> = {};

  /** The trigger, `visible` if it is not one. @internal */
  get when(): NavtalkTrigger {
    return TRIGGERS.includes(this.trigger) ? this.trigger : 'visible';
  }

  /** The request fields; a whole-number attribute that did not parse is passed as written, for the message. @internal */
  fields(): RawFields {
    const fields: RawFields = {};
    const self = this as unknown as Record<string, string | number | null | undefined>;
    for (const field of FIELD_NAMES) {
      const attribute = FIELDS[field];
      const value = self[propertyOf(attribute)];
      fields[field] = Number.isNaN(value) ? this.getAttribute(attribute) : value;
    }
    return fields;
  }

  /** The proxy URL, absolute; undefined if `endpoint` is not an http(s) URL (generate.ts says why). @internal */
  endpointUrl(): string | undefined {
    const written = this.endpoint?.trim();
    if (written) {
      try {
        const url = new URL(written, document.baseURI);
        if (/^https?:$/.test(url.protocol)) return url.href;
      } catch {
        // not a URL
      }
    }
    return undefined;
  }
}
