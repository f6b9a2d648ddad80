/** Backoff of status polls when the proxy holds no long-poll: 1 s, 1.6 s, 2.56 s ... up to 5 s, each +-20 %. */
export const BACKOFF = { firstMs: 1000, factor: 1.6, maxMs: 5000, jitter: 0.2 } as const;

/** The pause before poll number `attempt` (0-based); `random` in [0, 1) spreads clients apart. */
export function backoffDelay(attempt: number, random: number): number {
  const base = Math.min(BACKOFF.firstMs * BACKOFF.factor ** attempt, BACKOFF.maxMs);
  return base * (1 + BACKOFF.jitter * (2 * random - 1));
}

/** Retry-After in seconds, from either of its forms (delta-seconds or an HTTP date); undefined if absent or garbled. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its day and month; without letters, Date.parse would read "-5" as a year.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
