import { FIELDS, FIELD_NAMES, isWholeNumberField, type RawFields } from './fields.js';

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
    if (isWholeNumberField(field) && typeof value === 'string') {
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
  for (const field of FIELD_NAMES) raw[field] = getAttribute(FIELDS[field]);
  return requestFromFields(raw);
}
