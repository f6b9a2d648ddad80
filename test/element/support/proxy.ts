// Browser side of the test proxy: a fresh endpoint per test, scripted over HTTP, and what it received.
import type { ProxyScript, RecordedRequest } from './script.js';

export interface TestProxy {
  endpoint: string;
  requests(): Promise<RecordedRequest[]>;
  posts(): Promise<RecordedRequest[]>;
  polls(): Promise<RecordedRequest[]>;
  /** The requests the element looked up with `?script=` (a finished script's video), decoded. */
  lookups(): Promise<unknown[]>;
  /** Replaces the script (and clears the record of requests). */
  script(script: ProxyScript): Promise<void>;
}

export async function testProxy(script: ProxyScript = {}): Promise<TestProxy> {
  const id = crypto.randomUUID();
  const setScript = async (next: ProxyScript) => {
    const response = await fetch(`/__proxy/${id}/script`, { method: 'POST', body: JSON.stringify(next) });
    if (!response.ok) throw new Error(`Scripting the test proxy failed: HTTP ${response.status}`);
  };
  await setScript(script);
  const requests = async () => (await (await fetch(`/__proxy/${id}/requests`, { cache: 'no-store' })).json()) as RecordedRequest[];
  return {
    endpoint: `/proxy/${id}`,
    requests,
    posts: async () => (await requests()).filter((r) => r.method === 'POST'),
    polls: async () => (await requests()).filter((r) => r.method === 'GET'),
    lookups: async () => (await (await fetch(`/__proxy/${id}/lookups`, { cache: 'no-store' })).json()) as unknown[],
    script: setScript,
  };
}
