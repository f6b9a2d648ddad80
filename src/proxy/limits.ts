/**
 * The two guards on spending, as interfaces (so a host can back them with any store) plus the arithmetic
 * every backing shares: a per-client token bucket and a per-UTC-day generation count.
 */

import { ipv6Hextets } from './url-safety.js';

/** A guard's answer: go ahead, or wait this many seconds. */
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Per-client limit on requests that would start new upstream work. */
export interface RateLimiter {
  /** Takes one token from `key`'s bucket of `perMinute` tokens. */
  take(key: string, perMinute: number, now: number): Promise<Admission>;
}

/** Refusals the operator's view counts, per UTC day (`budget_exhausted`, `rate_limited`, a body refused as invalid). */
export type RefusalKind = 'budget' | 'rate_limit' | 'invalid_input';
export const REFUSAL_KINDS: readonly RefusalKind[] = ['budget', 'rate_limit', 'invalid_input'];

/** One UTC day's counts. */
export interface DayUsage {
  day: string;
  generations: number;
  refused: Record<RefusalKind, number>;
}

/** A task that a reservation starts: counted as running until it finishes or `until` (its deadline) passes. */
export interface RunningTask {
  id: string;
  until: number;
}

/** How many days of counts a budget keeps (the operator's view shows USAGE_DAYS of them). */
export const KEPT_DAYS = 35;
export const USAGE_DAYS = 30;

/**
 * Daily cap on new upstream generations, and the per-day counts behind the operator's view. `reserve` must be exact
 * under concurrency and throw if it cannot answer; the counts are for reading, and a lost one changes no decision.
 */
export interface Budget {
  /** Counts one generation against today's (UTC) `limit`, or refuses without counting; `task` is then running. */
  reserve(limit: number, now: number, task?: RunningTask): Promise<Admission>;
  /** Counts one refusal of this kind today. */
  refused(kind: RefusalKind, now: number): Promise<void>;
  /** A task that `reserve` started has finished (done or failed); `startedAt` names the day it was reserved on. */
  finished(id: string, startedAt: number): Promise<void>;
  /** The last `days` UTC days up to `now`'s, oldest first, and how many tasks are running now. */
  usage(days: number, now: number): Promise<{ days: DayUsage[]; running: number }>;
}

export interface Bucket {
  tokens: number;
  /** When `tokens` was last computed, in ms. */
  at: number;
}

/**
 * Token bucket: holds up to `perMinute` tokens and refills continuously at `perMinute` a minute, so a client
 * may burst up to the limit and then gets one request every 60/perMinute seconds.
 */
export function takeToken(bucket: Bucket | undefined, perMinute: number, now: number): { bucket: Bucket; admission: Admission } {
  const refillPerMs = perMinute / 60_000;
  const tokens = bucket ? Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.at) * refillPerMs) : perMinute;
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, admission: { ok: true } };
  return {
    bucket: { tokens, at: now },
    admission: { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000)) },
  };
}

/** Whether a bucket is full again at `now` (so forgetting it changes nothing). */
export const bucketIsFull = (bucket: Bucket, perMinute: number, now: number): boolean =>
  bucket.tokens + (now - bucket.at) * (perMinute / 60_000) >= perMinute;

/** The UTC day a moment falls in, as YYYY-MM-DD: the budget's key. */
export const utcDay = (now: number): string => new Date(now).toISOString().slice(0, 10);

/** The last `count` UTC days up to `now`'s, oldest first. */
export const lastUtcDays = (count: number, now: number): string[] =>
  Array.from({ length: count }, (_, i) => utcDay(now - (count - 1 - i) * 86_400_000));

/** No refusals yet. */
export const noRefusals = (): Record<RefusalKind, number> => ({ budget: 0, rate_limit: 0, invalid_input: 0 });

/** The next UTC midnight after `now`, in ms. */
export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** Counts one more generation if `used` is under `limit`; past it, come back at UTC midnight. */
export function reserveFrom(used: number, limit: number, now: number): { used: number; admission: Admission } {
  if (used < limit) return { used: used + 1, admission: { ok: true } };
  return { used, admission: { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((nextUtcMidnight(now) - now) / 1000)) } };
}

/**
 * The rate-limit key for a client address: an IPv4 address as is, an IPv6 address by its /64 (one subscriber
 * usually holds a whole /64, so per-address keys would let one client rotate through billions).
 */
export function clientKeyForAddress(address: string): string {
  const hextets = address.includes(':') ? ipv6Hextets(address.toLowerCase().replace(/^\[|\]$/g, '').split('%')[0]!) : null;
  return hextets ? `${hextets.slice(0, 4).map((h) => h.toString(16)).join(':')}::/64` : address;
}
