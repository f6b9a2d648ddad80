import { canonicalJson, unsignedBody, type GenerateRequest } from '../protocol/index.js';
import { toBase64Url } from './signing.js';

/**
 * Task ids are base64url(HMAC-SHA256(k, canonical JSON of the unsigned body)), with k derived from NavTalk's
 * key. Identical requests get the same id (that is the dedupe key), nobody without the key can make or
 * guess one, and the upstream task id never has to leave the proxy.
 */

const encoder = new TextEncoder();
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Whether a string has a task id's shape; checked before any storage is touched, so junk never creates state. */
export const isTaskId = (value: string): boolean => ID_PATTERN.test(value);

async function hmac(key: BufferSource, message: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(message));
}

/** Makes the id function for one NavTalk key; the derived key is computed once. */
export function taskIdMaker(apiKey: string): (request: GenerateRequest) => Promise<string> {
  // A separate key for ids, so an id is never a MAC made directly with the NavTalk key.
  let derived: Promise<ArrayBuffer> | undefined;
  return async (request) => {
    derived ??= hmac(encoder.encode(apiKey), 'navtalk-avatar task id v1');
    return toBase64Url(await hmac(await derived, canonicalJson(unsignedBody(request))));
  };
}
