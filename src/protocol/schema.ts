import type { GenerateRequest } from './schemas.js';
import {
  AUDIO_FIELDS, FIELDS, FIELD_NAMES, MAX_CONTENT_LENGTH, PARSING_MODES, TUNING_RANGES, VISUAL_FIELDS,
  type FieldName, type RangedField,
} from './fields.js';
import { VOICES } from './navtalk.js';
import { QUERY } from './wire.js';

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

type Problem = { ok: false; field: string | undefined; message: string };
export type Validation = { ok: true; value: GenerateRequest } | Problem;

/** How a field is named in messages: its attribute in the element, its JSON key in the proxy. */
export type FieldNamer = (field: FieldName) => string;
const jsonKey: FieldNamer = (field) => field;

const list = (names: string[]) =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/** A short echo of a rejected value, so the author sees what was read. Objects are never converted: JSON such as
 * `{"toString":[]}` has no primitive form, and String() of it throws. */
const got = (value: unknown): string => {
  if (typeof value === 'object') return '';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? '' : ` (got ${text})`;
};

/** The source fields of one kind that are set, in table order. */
const present = (body: Record<string, unknown>, fields: readonly FieldName[]) =>
  fields.filter((f) => body[f] !== undefined);

/** A field's rule as a message tail; the voice rule lists the voices this caller accepts. */
const ruleOf = (field: FieldName, voices: ReadonlySet<string>): string =>
  field === 'voice' ? `${FIELDS.voice.rule} ${[...voices].join(', ')}` : FIELDS[field].rule;

/** The first field whose value breaks its rule, in table order. */
function fieldProblem(record: Record<string, unknown>, name: FieldNamer, voices: ReadonlySet<string>): Problem | undefined {
  for (const field of FIELD_NAMES) {
    const value = record[field];
    const valid = field === 'voice' ? typeof value === 'string' && voices.has(value) : FIELD_CHECKS[field](value);
    if (value !== undefined && !valid) return { ok: false, field, message: `${name(field)} ${ruleOf(field, voices)}${got(value)}.` };
  }
  return undefined;
}

/** The method combinations: exactly one visual source, exactly one audio source, `voice` with `content` and only then. */
function combination(record: Record<string, unknown>, name: FieldNamer, voices: ReadonlySet<string>): Validation {
  const body: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) if (record[field] !== undefined) body[field] = record[field];
  for (const [kind, fields] of [['visual', VISUAL_FIELDS], ['audio', AUDIO_FIELDS]] as const) {
    const set = present(body, fields);
    if (set.length !== 1) {
      const message = set.length === 0
        ? `Set one ${kind} source: ${list(fields.map(name))}.`
        : `Set only one ${kind} source, not both ${list(set.map(name)).replace(' or ', ' and ')}.`;
      return { ok: false, field: set[1], message };
    }
  }
  if (body.content !== undefined && body.voice === undefined) {
    return { ok: false, field: 'voice', message: `${name('voice')} is required with ${name('content')}: it ${ruleOf('voice', voices)}.` };
  }
  if (body.voice !== undefined && body.content === undefined) {
    return { ok: false, field: 'voice', message: `${name('voice')} only applies with ${name('content')}.` };
  }
  return { ok: true, value: body as GenerateRequest };
}

/**
 * Validates a request body from anywhere (a proxy's visitors): a JSON object, the field rules, no other keys,
 * then the method combinations (exactly one visual source, exactly one audio source, `voice` with `content` and
 * only then). Returns the first problem as a message that names the field the way the caller's users know it.
 * `voices` replaces NavTalk's documented list (a proxy's ALLOWED_VOICES, the element's `NavtalkAvatar.voices`),
 * e.g. to accept a voice NavTalk added later.
 */
export function validateGenerateRequest(
  input: unknown, name: FieldNamer = jsonKey, voices: ReadonlySet<string> = DEFAULT_VOICES,
): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, field: undefined, message: 'The request body must be a JSON object of NavTalk fields.' };
  }
  const record = input as Record<string, unknown>;
  // The same order as the schema: field rules in table order, then unknown keys.
  const problem = fieldProblem(record, name, voices);
  if (problem) return problem;
  const unknown = Object.keys(record).find((key) => !Object.hasOwn(FIELDS, key));
  if (unknown !== undefined) {
    const message = unknown === 'license'
      ? 'license must not be sent from a page: the proxy adds the NavTalk key itself.'
      : `${unknown} is not a NavTalk field (allowed: ${FIELD_NAMES.join(', ')}).`;
    return { ok: false, field: unknown, message };
  }
  return combination(record, name, voices);
}

/**
 * validateGenerateRequest for fields read from the table (requestFromFields): they can only be the table's, so the
 * checks of a foreign body, and their messages, stay out of the element's bundle.
 */
export const validateFields = (fields: Record<string, unknown>, name: FieldNamer, voices: ReadonlySet<string>): Validation =>
  fieldProblem(fields, name, voices) ?? combination(fields, name, voices);

/**
 * What is wrong with the character name of a preview request (`GET ?preview=NAME`), or undefined: the same rule as
 * `character_name`, named after the query parameter.
 */
export const previewProblem = (value: string): string | undefined =>
  fieldProblem({ character_name: value }, () => QUERY.preview, DEFAULT_VOICES)?.message;

/** Which of the 9 NavTalk methods a valid request uses: 1-9, visual source major, audio source minor. */
export function methodNumber(request: GenerateRequest): number {
  const body = request as Record<string, unknown>;
  const visual = VISUAL_FIELDS.findIndex((f) => body[f] !== undefined);
  const audio = AUDIO_FIELDS.findIndex((f) => body[f] !== undefined);
  return visual * AUDIO_FIELDS.length + audio + 1;
}
