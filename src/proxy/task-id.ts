import { canonicalJson, unsignedBody, type GenerateRequest } from '../protocol/index.js';
import { toBase64Url } from './signing.js';

/**
 * Task ids are base64url(HMAC-SHA256(k, canonical JSON of the unsigned body)), with k derived from NavTalk's
 * key. Identical requests get the same id (that is the dedupe key), nobody without the key can make or
 * guess one, and the upstream task id never has to leave the proxy.
 */

const encoder = new TextEncoder();
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** How many scripts' ids are remembered, and the longest body remembered (text scripts; not audio uploads): at most ~2 MB. */
const RECENT_IDS = 256;
const RECENT_MAX_CHARS = 4096;

/** Whether a string has a task id's shape; checked before any storage is touched, so junk never creates state. */
export const isTaskId = (value: string): boolean => ID_PATTERN.test(value);

const hmacKey = (raw: BufferSource) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

/** Makes the id function for one NavTalk key; the derived key is computed and imported once (importing costs more than signing). */
export function taskIdMaker(apiKey: string): (request: GenerateRequest) => Promise<string> {
  // A separate key for ids, so an id is never a MAC made directly with the NavTalk key.
  let idKey: Promise<CryptoKey> | undefined;
  // Popular scripts are asked for again and again (every page view): their ids are remembered, newest last.
  const recent = new Map<string, string>();
  return async (request) => {
    const canonical = canonicalJson(unsignedBody(request));
    const known = recent.get(canonical);
    if (known !== undefined) {
      recent.delete(canonical);
      recent.set(canonical, known);
      return known;
    }
    idKey ??= hmacKey(encoder.encode(apiKey))
      .then((key) => crypto.subtle.sign('HMAC', key, encoder.encode('navtalk-avatar task id v1')))
      .then(hmacKey);
    const id = toBase64Url(await crypto.subtle.sign('HMAC', await idKey, encoder.encode(canonical)));
    if (canonical.length <= RECENT_MAX_CHARS) {
      recent.set(canonical, id);
      if (recent.size > RECENT_IDS) recent.delete(recent.keys().next().value!);
    }
    return id;
  };
}
