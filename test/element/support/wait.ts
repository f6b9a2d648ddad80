import { waitUntil as waitUntilOpenWc } from '@open-wc/testing';

/**
 * open-wc's waitUntil with a 5 s default timeout instead of 1 s: the browsers run beside the Node suites, and WebKitGTK
 * spends ~0.5 s on a missing video (the `?script=` lookup) before the POST. It ends as soon as the condition holds.
 */
export function waitUntil(predicate: () => unknown | Promise<unknown>, message?: string, options: { interval?: number; timeout?: number } = {}) {
  return waitUntilOpenWc(predicate, message, { timeout: 5000, ...options });
}
