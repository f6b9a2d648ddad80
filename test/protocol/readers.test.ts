import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIELD_NAMES, TASK_STATUSES, errorBodySchema, generateRequestSchema, readErrorBody, readTaskState, taskStateSchema,
  validateGenerateRequest,
} from '../../src/protocol/index.js';

// The browser validates without zod (validateGenerateRequest, readTaskState, readErrorBody); these
// properties pin them to the zod schemas that servers and tests use, so the two cannot drift apart.

const junk = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(''), fc.array(fc.nat()));

describe('readTaskState and readErrorBody agree with the zod schemas', () => {
  const info = fc.oneof(fc.record({ code: fc.oneof(fc.string(), fc.integer()), message: fc.string() }), junk);
  const state = fc.record(
    {
      task_id: fc.oneof(fc.string(), junk),
      status: fc.oneof(fc.constantFrom(...TASK_STATUSES), fc.string()),
      video_url: fc.oneof(fc.webUrl(), junk),
      error: info,
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  );

  it('accepts the same task states and returns the same fields', () => {
    fc.assert(
      fc.property(fc.oneof(state, fc.anything()), (value) => {
        const parsed = taskStateSchema.safeParse(value);
        const read = readTaskState(value);
        expect(read !== undefined).toBe(parsed.success);
        if (parsed.success) expect(read).toEqual(parsed.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts the same error bodies', () => {
    fc.assert(
      fc.property(fc.oneof(fc.record({ error: info }, { requiredKeys: [] }), fc.anything()), (value) => {
        const parsed = errorBodySchema.safeParse(value);
        expect(readErrorBody(value)).toEqual(parsed.success ? parsed.data.error : undefined);
      }),
      { numRuns: 3000 },
    );
  });
});

const samples: Record<string, unknown[]> = {
  video_url: ['https://cdn.example.com/me.mp4', 'ftp://x/y', 'http://', 'https://' + 'a'.repeat(2050)],
  image_url: ['https://cdn.example.com/me.png', 'not a url'],
  character_name: ['navtalk.Leo', '.Leo', 'x'.repeat(65)],
  audio_url: ['https://cdn.example.com/a.mp3', 'javascript:alert(1)'],
  audio_base64: ['UklGRiQAAABXQVZF', 'abc', 'no base64!'],
  content: ['Hello there.', '   ', 'x'.repeat(2001)],
  voice: ['echo', 'Echo', '9voice'],
  bbox_shift: [0, -9, 9, 10, 1.5, '3'],
  extra_margin: [10, 51, -1],
  parsing_mode: ['jaw', 'raw', 'soft'],
  left_cheek_width: [90, 49, 151],
  right_cheek_width: [150, 50, 2 ** 60],
  signature: ['a'.repeat(43), 'short', 'b'.repeat(129)],
  license: ['sk-1'],
  extra: [1],
};

describe('validateGenerateRequest agrees with generateRequestSchema', () => {
  const body = fc.record(
    Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, fc.oneof(fc.constantFrom(...values), junk)])),
    { requiredKeys: [] },
  );

  it('rejects what the schema rejects, naming the same field first, and returns what it returns', () => {
    fc.assert(
      fc.property(body, (value) => {
        const parsed = generateRequestSchema.safeParse(value);
        const result = validateGenerateRequest(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.field).toBe(field);
        } else if (result.ok) {
          expect(result.value).toEqual(parsed.data);
        } else {
          // Valid fields, but not one of the 9 methods.
          expect(result.message).toMatch(/^Set (one|only one)|voice/);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('covers every field', () => {
    expect(Object.keys(samples)).toEqual(expect.arrayContaining([...FIELD_NAMES]));
  });
});
