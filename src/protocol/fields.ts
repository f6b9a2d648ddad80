/**
 * The NavTalk /generate fields a page may set, written once: their element attribute, kind and range.
 * The element, the proxy, the signing CLI and the mock all read this table.
 */

export const VISUAL_FIELDS = ['video_url', 'image_url', 'character_name'] as const;
export const AUDIO_FIELDS = ['audio_url', 'audio_base64', 'content'] as const;
export type VisualField = (typeof VISUAL_FIELDS)[number];
export type AudioField = (typeof AUDIO_FIELDS)[number];

/** Tuning parameters inherited from MuseTalk: whole numbers in a range, or `parsing_mode`. */
export const TUNING_RANGES = {
  bbox_shift: { min: -9, max: 9, default: 0 },
  extra_margin: { min: 0, max: 50, default: 10 },
  left_cheek_width: { min: 50, max: 150, default: 90 },
  right_cheek_width: { min: 50, max: 150, default: 90 },
} as const;
export type RangedField = keyof typeof TUNING_RANGES;
export const PARSING_MODES = ['jaw', 'raw'] as const;
export type ParsingMode = (typeof PARSING_MODES)[number];

/** Longest `content` the protocol accepts; a proxy may set a lower limit. */
export const MAX_CONTENT_LENGTH = 2000;

type Kind = 'string' | 'int';
interface FieldSpec {
  /** The element attribute (kebab-case) that sets this field. */
  readonly attribute: string;
  readonly kind: Kind;
  /** What is allowed, phrased to follow the attribute's name in an error message. */
  readonly rule: string;
}

const ranged = (field: RangedField, attribute: string): FieldSpec => {
  const { min, max } = TUNING_RANGES[field];
  return { attribute, kind: 'int', rule: `must be a whole number from ${min} to ${max}` };
};

export const FIELDS = {
  video_url: { attribute: 'video-url', kind: 'string', rule: 'must be an absolute http(s) URL of a public MP4 or MOV video' },
  image_url: { attribute: 'image-url', kind: 'string', rule: 'must be an absolute http(s) URL of a public image' },
  character_name: {
    attribute: 'character', kind: 'string',
    rule: 'must be a built-in character name such as navtalk.Leo (letters, digits, ".", "_" or "-", at most 64)',
  },
  audio_url: { attribute: 'audio-url', kind: 'string', rule: 'must be an absolute http(s) URL of a public MP3 or WAV file' },
  audio_base64: { attribute: 'audio-base64', kind: 'string', rule: 'must be the base64 text of an audio file (A-Z, a-z, 0-9, +, /, =)' },
  content: { attribute: 'text', kind: 'string', rule: `must be text of 1 to ${MAX_CONTENT_LENGTH} characters, not only spaces` },
  // Which names are allowed is a list the caller may extend (see validateGenerateRequest), so the message names them.
  voice: { attribute: 'voice', kind: 'string', rule: 'must be one of' },
  bbox_shift: ranged('bbox_shift', 'bbox-shift'),
  extra_margin: ranged('extra_margin', 'extra-margin'),
  parsing_mode: { attribute: 'parsing-mode', kind: 'string', rule: 'must be jaw or raw' },
  left_cheek_width: ranged('left_cheek_width', 'left-cheek-width'),
  right_cheek_width: ranged('right_cheek_width', 'right-cheek-width'),
  signature: { attribute: 'signature', kind: 'string', rule: 'must be a base64url signature made by navtalk-sign' },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** A field's attribute name, for messages the element shows. */
export const attributeOf = (field: FieldName): string => FIELDS[field].attribute;

export type RawFields = Partial<Record<FieldName, string | number | null | undefined>>;

/**
 * Turns loosely typed inputs (attribute strings or property values) into a request object ready for
 * validation: empty values are dropped, numeric strings become numbers, and anything unparseable is kept
 * so that validation reports it with the attribute's name. `voice` only travels with `content`.
 */
export function requestFromFields(raw: RawFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) {
    const value = raw[field];
    if (value === null || value === undefined || value === '') continue;
    if (FIELDS[field].kind === 'int' && typeof value === 'string') {
      const trimmed = value.trim();
      out[field] = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : value;
    } else {
      out[field] = value;
    }
  }
  if (out.content === undefined) delete out.voice;
  return out;
}

/** Reads request fields from element attributes, as the signing CLI and server-side renderers see them. */
export function requestFromAttributes(getAttribute: (name: string) => string | null | undefined): Record<string, unknown> {
  const raw: RawFields = {};
  for (const field of FIELD_NAMES) raw[field] = getAttribute(FIELDS[field].attribute);
  return requestFromFields(raw);
}
