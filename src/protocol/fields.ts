/**
 * The NavTalk /generate fields a page may set, written once: their element attribute, and which take whole numbers
 * (what each allows is in checks.ts). The element, the proxy, the signing CLI and the mock all read this table.
 */

/** Each field's element attribute (kebab-case); what each allows, in words, is FIELD_RULES (checks.ts), beside its check. */
export const FIELDS = {
  video_url: 'video-url',
  image_url: 'image-url',
  character_name: 'character',
  audio_url: 'audio-url',
  audio_base64: 'audio-base64',
  content: 'text',
  voice: 'voice',
  bbox_shift: 'bbox-shift',
  extra_margin: 'extra-margin',
  parsing_mode: 'parsing-mode',
  left_cheek_width: 'left-cheek-width',
  right_cheek_width: 'right-cheek-width',
  signature: 'signature',
} as const;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** The fields that take a whole number (MuseTalk's tuning parameters; their ranges are TUNING_RANGES); the rest take text. */
export const WHOLE_NUMBER_FIELDS = ['bbox_shift', 'extra_margin', 'left_cheek_width', 'right_cheek_width'] as const satisfies readonly FieldName[];
export type WholeNumberField = (typeof WHOLE_NUMBER_FIELDS)[number];
export const isWholeNumberField = (field: FieldName): field is WholeNumberField =>
  (WHOLE_NUMBER_FIELDS as readonly FieldName[]).includes(field);

/** A field's attribute name, for messages the element shows. */
export const attributeOf = (field: FieldName): string => FIELDS[field];

export type RawFields = Partial<Record<FieldName, string | number | null | undefined>>;
