/**
 * The conformance fixture: the same proxy configuration on both hosts (the Worker under wrangler dev, and two
 * examples/node-server processes on one redis-server), each in front of a NavTalk mock of its own, reached over
 * real HTTP by a keep-alive client. A case is written once with the host as a parameter: it runs on each host, and
 * a third test compares what the two answered, normalized.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type AgentOptions } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeStack } from '../../scripts/lib/node-proxy.js';
import { startStack } from '../../scripts/lib/stack.js';
import type { MockCall, MockNavTalk } from '../../src/mock/server.js';
import { taskStateSchema, type TaskState } from '../../src/protocol/index.js';
import { FAST_TIMING, ORIGIN, ResponseLog, TEST_ENV } from '../proxy/cases.js';

const HOSTS = ['worker', 'node'] as const;
type HostName = (typeof HOSTS)[number];

export interface Host {
  mock: MockNavTalk;
  /** The proxy endpoints (each ends in `/`): the Worker's root; the root of each Node process. */
  endpoints: string[];
}

/** Both hosts' variables: TEST_ENV (signed mode, both secrets, the limits) plus the file's own. */
const hostVars = (vars: Record<string, string>) => ({ ...TEST_ENV, ...vars });

/**
 * Starts both hosts for the file (in parallel) and stops them after it. The Node processes keep results in a
 * folder of their own (the Worker in R2, simulated by wrangler dev).
 */
export function useHosts(vars: Record<string, string>): Hosts {
  const hosts = new Map<HostName, Host>();
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'navtalk-conformance-'));
    stops.push(async () => rmSync(resultsDir, { recursive: true, force: true }));
    const [worker, node] = await Promise.allSettled([
      startStack({ vars: hostVars(vars) }),
      startNodeStack({ vars: { ...hostVars(vars), RESULTS_DIR: resultsDir }, processes: 2 }),
    ]);
    for (const started of [worker, node]) if (started.status === 'fulfilled') stops.push(started.value.stop);
    if (worker.status === 'rejected') throw worker.reason;
    if (node.status === 'rejected') throw node.reason;
    hosts.set('worker', { mock: worker.value.mock!, endpoints: [`${worker.value.workerUrl}/`] });
    hosts.set('node', { mock: node.value.mock, endpoints: node.value.proxies.map((p) => `${p.url}/`) });
  }, 120_000);
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });
  const host = (name: HostName) => {
    const started = hosts.get(name);
    if (!started) throw new Error(`the ${name} host did not start`);
    return started;
  };
  return { conformance: (name, run, timeoutMs) => conformance(host, name, run, timeoutMs) };
}

export interface Hosts {
  /** Registers a case on both hosts: see `conformance`. */
  conformance(name: string, run: (c: CaseContext) => Promise<void>, timeoutMs?: number): void;
}

/** Answers with no body by their status (a Response cannot be built with one). */
const NO_BODY = new Set([204, 304]);

export interface SendInit {
  method?: string;
  /** A search string, e.g. `?task_id=...`. */
  query?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Send the body in chunks without Content-Length (chunked), so only a capped read can catch its size. */
  stream?: boolean;
  /** Which of the host's endpoints (default: the next one, round robin). */
  endpoint?: number;
  /** How long the whole exchange may take. */
  timeoutMs?: number;
}

/** One HTTP exchange on `agent`; the answer as a Web Response with its body read. */
function exchange(agent: Agent, url: string, init: SendInit): Promise<Response> {
  const method = init.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, method, headers: init.headers, signal: AbortSignal.timeout(init.timeoutMs ?? 30_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.once('end', () => {
        const headers = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode!;
        resolve(new Response(NO_BODY.has(status) || method === 'HEAD' ? null : Buffer.concat(chunks), { status, headers }));
      });
    });
    // `on`: a server that answers early may also cut the upload short, after the answer (then a no-op).
    req.on('error', reject);
    const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
    if (body && init.stream) {
      for (let at = 0; at < body.length; at += 1024) req.write(body.subarray(at, at + 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

export interface Client {
  send(init: SendInit): Promise<Response>;
  /** A POST of `body` as JSON from ORIGIN (or `origin`). */
  post(body: unknown, init?: { query?: string; origin?: string | null; endpoint?: number }): Promise<Response>;
  get(query: Record<string, string>, init?: { endpoint?: number; headers?: Record<string, string> }): Promise<Response>;
  /** Long-polls a task until it is done or failed. */
  settle(taskId: string): Promise<TaskState>;
}

/**
 * A client as a browser page is one: keep-alive connections, an Origin, and one address (sent as
 * CF-Connecting-IP, which wrangler dev passes through and the Node processes are told to trust).
 */
export function makeClient(host: Host, agent: Agent, ip: string, log: ResponseLog): Client {
  let next = 0;
  const client: Client = {
    async send(init) {
      const endpoint = host.endpoints[init.endpoint ?? next++ % host.endpoints.length]!;
      const headers = { 'cf-connecting-ip': ip, ...init.headers };
      return log.keep(await exchange(agent, `${endpoint}${init.query ?? ''}`, { ...init, headers }));
    },
    post(body, { query, origin = ORIGIN, endpoint } = {}) {
      const headers = { 'content-type': 'application/json', ...(origin ? { origin } : {}) };
      return client.send({ method: 'POST', headers, body: JSON.stringify(body), query, endpoint });
    },
    get(query, { headers, endpoint } = {}) {
      return client.send({ query: `?${new URLSearchParams(query)}`, headers: { origin: ORIGIN, ...headers }, endpoint });
    },
    async settle(taskId) {
      let seen: TaskState | undefined;
      // A long-poll answers within 5 s; a task is done (or failed by the upstream deadline) well within 25 polls.
      for (let polls = 0; polls < 25; polls++) {
        const response = await client.get({ task_id: taskId, wait: '5', ...(seen ? { status: seen.status } : {}) });
        seen = await stateOf(response);
        if (seen.status === 'done' || seen.status === 'failed') return seen;
      }
      throw new Error(`task ${taskId} did not finish: last seen ${JSON.stringify(seen)}`);
    },
  };
  return client;
}

export async function stateOf(response: Response): Promise<TaskState> {
  expect(response.status, await response.clone().text()).toBe(200);
  return taskStateSchema.parse(await response.json());
}

export const errorOf = async (response: Response): Promise<{ code: string; message: string }> =>
  ((await response.clone().json()) as { error: { code: string; message: string } }).error;

export const generateCalls = (mock: MockNavTalk): MockCall[] => mock.calls.filter((c) => c.path === '/generate');

/** Headers compared across hosts; `present` ones by presence only (their values are the host's own: ETags, times). */
const COMPARED_HEADERS = [
  'access-control-allow-origin', 'access-control-expose-headers', 'access-control-allow-methods', 'access-control-allow-headers',
  'access-control-max-age', 'vary', 'allow', 'cache-control', 'content-type', 'accept-ranges', 'content-range', 'content-length',
];
const PRESENT_HEADERS = ['retry-after', 'etag'];

/**
 * What each host answered in a case, normalized: URLs of the host and of its mock become `<proxy>` and `<navtalk>`,
 * NavTalk's own task ids `<upstream>`. Task ids stay: both hosts derive them from the same key and body.
 */
export class Transcript {
  readonly entries: unknown[] = [];

  constructor(private readonly host: Host) {}

  /** Rewrites host-specific text: endpoints, the mock's URL, NavTalk's task ids. */
  normalize(text: string): string {
    let out = text;
    for (const endpoint of this.host.endpoints) out = out.split(endpoint).join('<proxy>/');
    out = out.split(this.host.mock.url).join('<navtalk>');
    // A stored video's URL carries its version (the store's ETag: R2's or the folder's own hash).
    // And a wait in seconds depends on when the request came, not on the host.
    return out.replace(/\/videos\/[0-9a-f-]{36}\.mp4/g, '/videos/<upstream>.mp4').replace(/([?&]v=)[^&"]+/g, '$1<version>')
      .replace(/try again in \d+ s/g, 'try again in <n> s');
  }

  /** Records an answer (status, the compared headers, the body as JSON or its size) and returns it. */
  async answer(label: string, response: Response): Promise<Response> {
    const headers: Record<string, string> = {};
    for (const name of COMPARED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    for (const name of PRESENT_HEADERS) if (response.headers.has(name)) headers[name] = '(present)';
    // Framing, not content: an empty body may come with a length of 0 or in chunks (node:http's 416).
    if (headers['content-length'] === '0') delete headers['content-length'];
    const bytes = new Uint8Array(await response.clone().arrayBuffer());
    const json = /json/.test(response.headers.get('content-type') ?? '');
    const body = json ? JSON.parse(this.normalize(new TextDecoder().decode(bytes))) as unknown : `${bytes.length} bytes`;
    this.entries.push({ label, status: response.status, headers, body });
    return response;
  }

  /** Records any other observation (a count of NavTalk calls, a normalized value). */
  note(label: string, value: unknown): void {
    this.entries.push({ label, value: typeof value === 'string' ? this.normalize(value) : value });
  }
}

export interface CaseContext {
  host: Host;
  mock: MockNavTalk;
  client: Client;
  /** Another client: a viewer at another address, on keep-alive connections of its own. */
  newClient(agent?: AgentOptions): Client;
  t: Transcript;
}

let addresses = 0;
/** An address (its own IPv6 /64) that no other case uses, so each starts with a full rate-limit bucket. */
const freshIp = () => `2001:db8:${(++addresses).toString(16)}::1`;

/**
 * Registers a case: one test per host (a clean mock, a new keep-alive client, no key or NavTalk task id in any
 * answer) and one that compares the two transcripts. A case that fails midway leaves the transcript it got so
 * far, so the comparison shows where the hosts parted.
 */
function conformance(
  hosts: (name: HostName) => Host, name: string, run: (c: CaseContext) => Promise<void>, timeoutMs = 60_000,
): void {
  describe(name, () => {
    const transcripts = new Map<HostName, Transcript>();
    for (const hostName of HOSTS) {
      it(`on ${hostName === 'worker' ? 'the Worker (workerd)' : 'Node on Redis'}`, async () => {
        const host = hosts(hostName);
        const t = new Transcript(host);
        transcripts.set(hostName, t);
        host.mock.reset(); // also restores the start timing, the mock's default: set ours again
        host.mock.configure({ timing: FAST_TIMING });
        const log = new ResponseLog();
        const agents: Agent[] = [];
        const newClient = (options: AgentOptions = {}) => {
          const agent = new Agent({ keepAlive: true, ...options });
          agents.push(agent);
          return makeClient(host, agent, freshIp(), log);
        };
        try {
          await run({ host, mock: host.mock, client: newClient(), newClient, t });
          expect(log.leaks(host.mock.license, host.mock.tasks().map((task) => task.task_id))).toEqual([]);
        } finally {
          for (const agent of agents) agent.destroy();
        }
      }, timeoutMs);
    }
    it('both hosts answer alike', () => {
      expect(transcripts.get('node')?.entries, 'Node on Redis (expected: what the Worker answered)').toEqual(transcripts.get('worker')?.entries);
    });
  });
}
