// The operator's routes on the Worker: usage from the per-day BudgetObjects, kept videos from R2, deletions through
// the TaskObject and R2.
import { describe } from 'vitest';
import { ADMIN_TOKEN, adminTests, type AdminTarget } from '../proxy/admin-cases.js';
import { ENDPOINT, LICENSE, client, mock, useMock } from './helpers.js';

useMock();

/** A client of its own (its own rate-limit bucket) of a Worker with the admin routes on. */
function target(): AdminTarget {
  const worker = client({ ADMIN_TOKEN, DAILY_GENERATION_LIMIT: '3', RATE_LIMIT_PER_MINUTE: '5' });
  return { endpoint: ENDPOINT, send: (request) => worker.call(request), generations: async () => (await mock.generateCalls()).length,
    previewFetches: async () => (await mock.previewCalls()).length, license: LICENSE };
}

describe('admin routes on the Worker', () => {
  adminTests(target, { tag: 'worker', stores: 'R2 and its TaskObject' });
});
