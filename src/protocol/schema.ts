import type { GenerateRequest } from './schemas.js';
import { AUDIO_FIELDS, DEFAULT_VOICES, FIELD_CHECKS, FIELD_RULES, VISUAL_FIELDS } from './checks.js';
import { FIELDS, FIELD_NAMES, type FieldName } from './fields.js';
import { QUERY } from './wire.js';

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
  field === 'voice' ? `${FIELD_RULES.voice} ${[...voices].join(', ')}` : FIELD_RULES[field];

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
