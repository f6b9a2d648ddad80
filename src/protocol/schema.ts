import * as z from 'zod/mini';
import {
  AUDIO_FIELDS, FIELDS, MAX_CONTENT_LENGTH, PARSING_MODES, TUNING_RANGES, VISUAL_FIELDS,
  type FieldName, type ParsingMode, type RangedField,
} from './fields.js';

const httpUrl = z.string().check(
  z.maxLength(2048),
  z.refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }),
);
const ranged = (field: RangedField) =>
  z.int().check(z.gte(TUNING_RANGES[field].min), z.lte(TUNING_RANGES[field].max));

/** The body a page sends to the proxy: NavTalk's /generate fields minus `license`, plus `signature`. */
export const generateRequestSchema = z.strictObject({
  video_url: z.optional(httpUrl),
  image_url: z.optional(httpUrl),
  character_name: z.optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/))),
  audio_url: z.optional(httpUrl),
  audio_base64: z.optional(z.string().check(z.minLength(4), z.regex(/^[A-Za-z0-9+/]+={0,2}$/))),
  content: z.optional(z.string().check(z.maxLength(MAX_CONTENT_LENGTH), z.regex(/\S/))),
  voice: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9_-]{0,39}$/))),
  bbox_shift: z.optional(ranged('bbox_shift')),
  extra_margin: z.optional(ranged('extra_margin')),
  parsing_mode: z.optional(z.enum(PARSING_MODES)),
  left_cheek_width: z.optional(ranged('left_cheek_width')),
  right_cheek_width: z.optional(ranged('right_cheek_width')),
  signature: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{16,128}$/))),
});

export type GenerateRequest = z.infer<typeof generateRequestSchema>;
export type { ParsingMode };

export type Validation =
  | { ok: true; value: GenerateRequest }
  | { ok: false; field: string | undefined; message: string };

/** How a field is named in messages: its attribute in the element, its JSON key in the proxy. */
export type FieldNamer = (field: FieldName) => string;
const jsonKey: FieldNamer = (field) => field;

const list = (names: string[]) =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/** A short echo of a rejected value, so the author sees what was read. */
const got = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return typeof value === 'object' || text.length > 40 ? '' : ` (got ${text})`;
};

/** The source fields of one kind that are set, in table order. */
const present = (body: Record<string, unknown>, fields: readonly FieldName[]) =>
  fields.filter((f) => body[f] !== undefined);

/**
 * Validates a request body: the field rules, then the method combinations (exactly one visual source,
 * exactly one audio source, `voice` with `content` and only then). Returns the first problem as a
 * message that names the field the way the caller's users know it.
 */
export function validateGenerateRequest(input: unknown, name: FieldNamer = jsonKey): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, field: undefined, message: 'The request body must be a JSON object of NavTalk fields.' };
  }
  const parsed = generateRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      const message = key === 'license'
        ? 'license must not be sent from a page: the proxy adds the NavTalk key itself.'
        : `${key} is not a NavTalk field (allowed: ${Object.keys(FIELDS).join(', ')}).`;
      return { ok: false, field: key, message };
    }
    const field = issue.path[0] as FieldName;
    return { ok: false, field, message: `${name(field)} ${FIELDS[field].rule}${got((input as Record<string, unknown>)[field])}.` };
  }
  const body = parsed.data as Record<string, unknown>;
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
    return { ok: false, field: 'voice', message: `${name('voice')} is required with ${name('content')}: it ${FIELDS.voice.rule}.` };
  }
  if (body.voice !== undefined && body.content === undefined) {
    return { ok: false, field: 'voice', message: `${name('voice')} only applies with ${name('content')}.` };
  }
  return { ok: true, value: parsed.data };
}

/** Which of the 9 NavTalk methods a valid request uses: 1-9, visual source major, audio source minor. */
export function methodNumber(request: GenerateRequest): number {
  const body = request as Record<string, unknown>;
  const visual = VISUAL_FIELDS.findIndex((f) => body[f] !== undefined);
  const audio = AUDIO_FIELDS.findIndex((f) => body[f] !== undefined);
  return visual * AUDIO_FIELDS.length + audio + 1;
}
