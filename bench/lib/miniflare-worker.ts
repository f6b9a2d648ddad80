import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Miniflare } from 'miniflare';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { wranglerConfig } from './freeze.js';

export interface BareWorker {
  mock: MockNavTalk;
  workerUrl: string;
  /** workerd's own inspector (ws://127.0.0.1:PORT), when started with `inspect`. */
  inspector?: URL;
  stop(): Promise<void>;
}

/**
 * The frozen Worker bundle on the same workerd, through Miniflare's API alone: no wrangler dev around it (no
 * proxy workerd in front, no wrangler inspector proxy). The soak runs here too, to tell the Worker's own memory
 * from the dev tooling's. Durable Objects on SQLite, persisted to a temporary folder as wrangler dev does.
 * `inspect` opens workerd's own inspector on a free loopback port (the soak uses it to collect garbage).
 */
export async function startBareWorker(workerConfig: string, origins: string[], vars: Record<string, string>, { inspect = false } = {}): Promise<BareWorker> {
  const mock = await startMockNavTalk();
  const persist = mkdtempSync(join(tmpdir(), 'navtalk-bench-mf-'));
  const sqlite = (className: string) => ({ className, useSQLite: true });
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dirname(workerConfig), 'index.js'),
    // Module names are paths below this root; the bundle lives in a temporary folder outside the work tree.
    modulesRoot: dirname(workerConfig),
    compatibilityDate: wranglerConfig().compatibility_date,
    host: '127.0.0.1',
    port: 0,
    cf: false,
    ...(inspect ? { inspectorPort: 0 } : {}),
    durableObjectsPersist: persist,
    r2Buckets: ['RESULTS'],
    r2Persist: persist,
    durableObjects: { TASKS: sqlite('TaskObject'), BUDGET: sqlite('BudgetObject'), LIMITER: sqlite('LimiterObject'), TIMINGS: sqlite('TimingsObject') },
    bindings: {
      ...wranglerConfig().vars,
      AUTH_MODE: 'open',
      NAVTALK_API_KEY: mock.license,
      NAVTALK_BASE_URL: mock.url,
      TRUSTED_MEDIA_ORIGINS: mock.url,
      ALLOWED_ORIGINS: origins.join(','),
      ...vars,
    },
  });
  const url = await mf.ready;
  return {
    mock,
    workerUrl: url.origin,
    ...(inspect ? { inspector: await mf.getInspectorURL() } : {}),
    async stop() {
      await mf.dispose();
      await mock.close();
      rmSync(persist, { recursive: true, force: true });
    },
  };
}
