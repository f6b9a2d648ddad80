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

interface WorkerSettings {
  compatibility_date: string;
  vars?: Record<string, string>;
  durable_objects?: { bindings: { name: string; class_name: string }[] };
  r2_buckets?: { binding: string }[];
}

/**
 * A frozen Worker bundle (ours, or the soak's baseline: see freeze) on the same workerd, through Miniflare's API
 * alone: no wrangler dev around it (no proxy workerd in front, no wrangler inspector proxy). The soak runs here
 * too, to tell the Worker's own memory from the dev tooling's. Its Durable Objects and R2 buckets are those of
 * its config, the objects on SQLite, persisted to a temporary folder as wrangler dev does. Every Worker gets the
 * same bindings: the config's vars, then ours (an unused one costs nothing). `inspect` opens workerd's own
 * inspector on a free loopback port (the soak uses it to collect garbage).
 */
export async function startBareWorker(workerConfig: string, origins: string[], vars: Record<string, string>, { inspect = false } = {}): Promise<BareWorker> {
  const settings = wranglerConfig(workerConfig) as WorkerSettings;
  const mock = await startMockNavTalk();
  const persist = mkdtempSync(join(tmpdir(), 'navtalk-bench-mf-'));
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dirname(workerConfig), 'index.js'),
    // Module names are paths below this root; the bundle lives in a temporary folder outside the work tree.
    modulesRoot: dirname(workerConfig),
    compatibilityDate: settings.compatibility_date,
    host: '127.0.0.1',
    port: 0,
    cf: false,
    ...(inspect ? { inspectorPort: 0 } : {}),
    durableObjectsPersist: persist,
    r2Buckets: (settings.r2_buckets ?? []).map((b) => b.binding),
    r2Persist: persist,
    durableObjects: Object.fromEntries((settings.durable_objects?.bindings ?? []).map((b) => [b.name, { className: b.class_name, useSQLite: true }])),
    bindings: {
      ...settings.vars,
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
