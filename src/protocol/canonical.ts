/**
 * Canonical JSON: keys sorted at every level, no whitespace, strings NFC-normalized, values serialized as
 * JSON.stringify does. The same bytes are signed by the site owner, verified by the proxy and hashed into
 * the dedupe key, so two requests that mean the same thing are the same request.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key.normalize('NFC')] = normalize((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The request body without its `signature`: what is signed and what identifies a video. */
export function unsignedBody<T extends { signature?: string }>(body: T): Omit<T, 'signature'> {
  const { signature: _signature, ...rest } = body;
  return rest;
}
