// Each field's rule, alone in this module so that both the zod schema (schemas.ts) and the validators
// (schema.ts) build on it without importing each other.
import { MAX_CONTENT_LENGTH, PARSING_MODES, TUNING_RANGES, type FieldName, type RangedField } from './fields.js';
import { VOICES } from './navtalk.js';

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

const inRange = (field: RangedField) => (value: unknown): boolean =>
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
