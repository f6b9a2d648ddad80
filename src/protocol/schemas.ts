import * as z from 'zod/mini';
import type { FieldName, WholeNumberField } from './fields.js';
import { FIELD_CHECKS, PARSING_MODES } from './checks.js';
import { TASK_STATUSES } from './wire.js';

/**
 * The protocol's shapes as zod schemas, for servers and tests. Browser code never imports this module (it
 * validates with FIELD_CHECKS and reads answers with readTaskState/readErrorBody), so the element's bundle carries
 * no zod; test/protocol keeps both readings in step.
 */

const text = (field: FieldName) => z.optional(z.string().check(z.refine(FIELD_CHECKS[field])));
const whole = (field: WholeNumberField) => z.optional(z.int().check(z.refine(FIELD_CHECKS[field])));

/** The body a page sends to the proxy: NavTalk's /generate fields minus `license`, plus `signature`. */
export const generateRequestSchema = z.strictObject({
  video_url: text('video_url'),
  image_url: text('image_url'),
  character_name: text('character_name'),
  audio_url: text('audio_url'),
  audio_base64: text('audio_base64'),
  content: text('content'),
  voice: text('voice'),
  bbox_shift: whole('bbox_shift'),
  extra_margin: whole('extra_margin'),
  parsing_mode: z.optional(z.enum(PARSING_MODES)),
  left_cheek_width: whole('left_cheek_width'),
  right_cheek_width: whole('right_cheek_width'),
  signature: text('signature'),
});
export type GenerateRequest = z.infer<typeof generateRequestSchema>;

const errorInfo = z.object({ code: z.string(), message: z.string() });

/** `POST {endpoint}` and `GET {endpoint}?task_id=` answer with this. */
export const taskStateSchema = z.object({
  task_id: z.string().check(z.minLength(1)),
  status: z.enum(TASK_STATUSES),
  video_url: z.optional(z.string()),
  error: z.optional(errorInfo),
});

/** Every non-2xx proxy answer carries this body. */
export const errorBodySchema = z.object({ error: errorInfo });
