import { canonicalJson, unsignedBody } from '../protocol/index.js';

/**
 * Signed scripts: the site owner signs each request body at build time (navtalk-sign), so the proxy only
 * pays for what the owner approved. signature = base64url without padding of HMAC-SHA256(key = UTF-8 of the
 * secret, message = canonical JSON of the body without `signature`). Web Crypto only: runs in browsers'
 * build tools, Node, Deno, Bun and Workers alike.
 */

const encoder = new TextEncoder();

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  // A length of 4n+1 is no base64 at all (atob would throw).
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The signature of a request body (any `signature` already in it is ignored). */
export async function signRequest(body: Record<string, unknown>, secret: string): Promise<string> {
  const message = encoder.encode(canonicalJson(unsignedBody(body)));
  return toBase64Url(await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), message));
}

/**
 * Whether `body.signature` was made with one of `secrets` (several during a rotation). Constant-time:
 * crypto.subtle.verify compares the MAC, never a string equality.
 */
export async function verifyRequest(body: { signature?: string }, secrets: readonly string[]): Promise<boolean> {
  const mac = typeof body.signature === 'string' ? fromBase64Url(body.signature) : null;
  if (!mac || mac.length !== 32) return false;
  const message = encoder.encode(canonicalJson(unsignedBody(body)));
  for (const secret of secrets) {
    if (secret && (await crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), mac, message))) return true;
  }
  return false;
}
