// Each field's rule, alone in this module so that both the zod schema (schemas.ts) and the validators
// (schema.ts) build on it without importing each other.
import type { FieldName, WholeNumberField } from './fields.js';
import { VOICES } from './navtalk.js';

export const VISUAL_FIELDS = ['video_url', 'image_url', 'character_name'] as const;
export const AUDIO_FIELDS = ['audio_url', 'audio_base64', 'content'] as const;
export type VisualField = (typeof VISUAL_FIELDS)[number];
export type AudioField = (typeof AUDIO_FIELDS)[number];

/** Tuning parameters inherited from MuseTalk: whole numbers in a range, or `parsing_mode`. */
export const TUNING_RANGES: Record<WholeNumberField, { min: number; max: number; default: number }> = {
  bbox_shift: { min: -9, max: 9, default: 0 },
  extra_margin: { min: 0, max: 50, default: 10 },
  left_cheek_width: { min: 50, max: 150, default: 90 },
  right_cheek_width: { min: 50, max: 150, default: 90 },
};
export const PARSING_MODES = ['jaw', 'raw'] as const;
export type ParsingMode = (typeof PARSING_MODES)[number];

/** Longest `content` the protocol accepts; a proxy may set a lower limit. */
export const MAX_CONTENT_LENGTH = 2000;

const isHttpUrl = (value: unknown): boolean => {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
};
const matches = (pattern: RegExp) => (value: unknown): boolean => typeof value === 'string' && pattern.test(value);
/** The TTS voices a request may name when the caller gives no list of its own. */
export const DEFAULT_VOICES: ReadonlySet<string> = new Set(VOICES);
/** The shape of a voice name, for lists that extend NavTalk's (a voice NavTalk adds after this release). */
export const VOICE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

const ranged = (field: WholeNumberField) => `must be a whole number from ${TUNING_RANGES[field].min} to ${TUNING_RANGES[field].max}`;

/** What each field allows, phrased to follow its attribute's name in an error message. */
export const FIELD_RULES: Record<FieldName, string> = {
  video_url: 'must be an absolute http(s) URL of a public MP4 or MOV video',
  image_url: 'must be an absolute http(s) URL of a public image',
  character_name: 'must be a built-in character name such as navtalk.Leo (letters, digits, ".", "_" or "-", at most 64)',
  audio_url: 'must be an absolute http(s) URL of a public MP3 or WAV file',
  audio_base64: 'must be the base64 text of an audio file (A-Z, a-z, 0-9, +, /, =)',
  content: `must be text of 1 to ${MAX_CONTENT_LENGTH} characters, not only spaces`,
  // Which names are allowed is a list the caller may extend (see validateGenerateRequest), so the message names them.
  voice: 'must be one of',
  bbox_shift: ranged('bbox_shift'),
  extra_margin: ranged('extra_margin'),
  parsing_mode: 'must be jaw or raw',
  left_cheek_width: ranged('left_cheek_width'),
  right_cheek_width: ranged('right_cheek_width'),
  signature: 'must be a base64url signature made by navtalk-sign',
};

const inRange = (field: WholeNumberField) => (value: unknown): boolean =>
  Number.isSafeInteger(value) && (value as number) >= TUNING_RANGES[field].min && (value as number) <= TUNING_RANGES[field].max;

/**
 * Each field's rule, written once. The zod schema (schemas.ts) refines with these, and validateGenerateRequest
 * runs them directly, so the browser bundle validates without carrying zod.
 */
export const FIELD_CHECKS: Record<FieldName, (value: unknown) => boolean> = {
  video_url: isHttpUrl,
  image_url: isHttpUrl,
  character_name: matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  audio_url: isHttpUrl,
  audio_base64: (value) => typeof value === 'string' && value.length >= 4 && /^[A-Za-z0-9+/]+={0,2}$/.test(value),
  content: (value) => typeof value === 'string' && value.length <= MAX_CONTENT_LENGTH && /\S/.test(value),
  voice: (value) => typeof value === 'string' && DEFAULT_VOICES.has(value),
  bbox_shift: inRange('bbox_shift'),
  extra_margin: inRange('extra_margin'),
  parsing_mode: (value) => (PARSING_MODES as readonly unknown[]).includes(value),
  left_cheek_width: inRange('left_cheek_width'),
  right_cheek_width: inRange('right_cheek_width'),
  signature: matches(/^[A-Za-z0-9_-]{16,128}$/),
};
