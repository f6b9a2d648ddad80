/**
 * `navtalk-avatar usage | results | delete`: the operator's view of a deployed proxy, through its admin routes
 * (docs/proxy.md). The token comes from ADMIN_TOKEN (or `--token-env NAME`) in the environment or .dev.vars, never
 * from the command line, where shell history and `ps` would keep it.
 */
import { parseArgs } from 'node:util';
import {
  ADMIN_HEADER, ADMIN_QUERY, RESULTS_PAGE, type DeleteAnswer, type ResultsAnswer, type UsageAnswer,
} from '../proxy/admin.js';
import { envOrDevVar } from './dev-vars.js';

export const ADMIN_USAGE = `  navtalk-avatar usage --endpoint URL [--json] [--token-env NAME]
  navtalk-avatar results --endpoint URL [--json] [--limit N] [--token-env NAME]
  navtalk-avatar delete ID... --endpoint URL [--json] [--token-env NAME]`;

/** The longest bar of the month's chart, in characters. */
const BAR_WIDTH = 40;
/** Results the command reads at most (pages of RESULTS_PAGE.max). */
const DEFAULT_RESULTS = 1000;

class AdminError extends Error {}

interface Admin {
  call<T>(route: string, params?: Record<string, string>, method?: string): Promise<T>;
}

function connect(endpoint: URL, token: string): Admin {
  return {
    async call<T>(route: string, params: Record<string, string> = {}, method = 'GET'): Promise<T> {
      const url = new URL(endpoint);
      url.searchParams.set(ADMIN_QUERY, route);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      let response: Response;
      try {
        response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        throw new AdminError(`${endpoint.href} could not be reached (${(error as Error).message}).`);
      }
      const text = await response.text();
      if (!response.headers.has(ADMIN_HEADER)) {
        throw new AdminError(`${endpoint.href} has no admin interface (HTTP ${response.status}): set ADMIN_TOKEN on the proxy, or update it.`);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new AdminError(`${endpoint.href} answered HTTP ${response.status} with something other than JSON.`);
      }
      if (response.ok) return body as T;
      const error = (body as { error?: { code?: string; message?: string } }).error;
      if (error?.code === 'admin_token_invalid' || error?.code === 'admin_token_required') {
        throw new AdminError(`the proxy refused the token (HTTP ${response.status}): your ADMIN_TOKEN is not the one the proxy has.`);
      }
      throw new AdminError(`${error?.message ?? `HTTP ${response.status}`} (${error?.code ?? 'error'})`);
    },
  };
}

/** Columns padded to their widest cell; `right` ones (numbers) aligned to the right. */
function columns(rows: string[][], right: ReadonlySet<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const cell = (text: string, i: number) => (right.has(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  return rows.map((r) => r.map(cell).join('  ').trimEnd()).join('\n');
}

const bytes = (n: number) =>
  n < 1000 ? `${n} B` : n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : n < 1e9 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e9).toFixed(2)} GB`;
const refusals = (r: UsageAnswer['days'][number]['refused']) =>
  `${r.budget} over budget, ${r.rate_limit} rate-limited, ${r.invalid_input} invalid`;

function printUsage(usage: UsageAnswer): void {
  const today = usage.days[usage.days.length - 1]!;
  const month = usage.days.reduce((sum, d) => ({
    generations: sum.generations + d.generations,
    budget: sum.budget + d.refused.budget, rate_limit: sum.rate_limit + d.refused.rate_limit, invalid_input: sum.invalid_input + d.refused.invalid_input,
  }), { generations: 0, budget: 0, rate_limit: 0, invalid_input: 0 });
  console.log(`Today (${usage.today} UTC): ${today.generations} of ${usage.limit} generations (DAILY_GENERATION_LIMIT), ${usage.running} running now`);
  console.log(`Refused today: ${refusals(today.refused)}`);
  console.log(`Last ${usage.days.length} days: ${month.generations} generations; refused ${refusals(month)}\n`);
  const most = Math.max(1, ...usage.days.map((d) => d.generations));
  const rows = [['day', 'made', 'refused', ''], ...usage.days.map((d) => [
    d.day, String(d.generations), String(d.refused.budget + d.refused.rate_limit + d.refused.invalid_input),
    // Any generation shows at least a sliver, so a quiet day with one video is not mistaken for none.
    '█'.repeat(d.generations ? Math.max(1, Math.round((d.generations / most) * BAR_WIDTH)) : 0),
  ])];
  console.log(columns(rows, new Set([1, 2])));
}

async function allResults(admin: Admin, max: number): Promise<ResultsAnswer> {
  const all: ResultsAnswer = { store: true, results: [] };
  let cursor: string | undefined;
  // Bounded: at most `max` results, a page at a time.
  while (all.results.length < max) {
    const page = await admin.call<ResultsAnswer>('results', { limit: String(Math.min(RESULTS_PAGE.max, max - all.results.length)), ...(cursor ? { cursor } : {}) });
    all.store = page.store;
    all.results.push(...page.results);
    cursor = page.cursor;
    if (!cursor) break;
  }
  if (cursor) all.cursor = cursor;
  return all;
}

function printResults(answer: ResultsAnswer): void {
  if (!answer.store) {
    console.log('This proxy keeps no videos (no result store): pages play NavTalk\'s own URLs.');
    return;
  }
  const results = [...answer.results].sort((a, b) => b.stored_at.localeCompare(a.stored_at));
  const total = results.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`${results.length} kept video${results.length === 1 ? '' : 's'}, ${bytes(total)}${answer.cursor ? ' (more: raise --limit)' : ''}\n`);
  if (!results.length) return;
  const rows = [['id', 'made (UTC)', 'size', 'method', 'voice', 'text'], ...results.map((r) => [
    r.id, r.stored_at.slice(0, 16).replace('T', ' '), bytes(r.bytes), [r.method, r.character].filter(Boolean).join(' ') || '-', r.voice ?? '-', r.text ?? '-',
  ])];
  console.log(columns(rows, new Set([2])));
}

/** Runs `usage`, `results` or `delete`; returns the exit code. */
export async function adminCommand(command: 'usage' | 'results' | 'delete', argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: command === 'delete',
    options: {
      endpoint: { type: 'string' }, json: { type: 'boolean' }, 'token-env': { type: 'string', default: 'ADMIN_TOKEN' },
      ...(command === 'results' ? { limit: { type: 'string', default: String(DEFAULT_RESULTS) } } : {}),
    },
  });
  const say = (message: string) => console.error(`navtalk-avatar ${command}: ${message}`);
  let endpoint: URL;
  try {
    endpoint = new URL(values.endpoint ?? '');
    if (!/^https?:$/.test(endpoint.protocol)) throw new Error();
  } catch {
    say(`--endpoint must be the http(s) URL of your proxy.\nUsage:\n${ADMIN_USAGE}`);
    return 2;
  }
  const limit = Number(values.limit ?? DEFAULT_RESULTS);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    say('--limit must be a whole number of at least 1.');
    return 2;
  }
  if (command === 'delete' && positionals.length === 0) {
    say(`give the id of each video to delete (navtalk-avatar results lists them).\nUsage:\n${ADMIN_USAGE}`);
    return 2;
  }
  const tokenEnv = values['token-env']!;
  const token = envOrDevVar(tokenEnv);
  if (!token) {
    say(`set ${tokenEnv} in the environment (or .dev.vars) to the proxy's ADMIN_TOKEN.`);
    return 2;
  }
  const admin = connect(endpoint, token);
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  try {
    if (command === 'usage') {
      const usage = await admin.call<UsageAnswer>('usage');
      if (values.json) print(usage);
      else printUsage(usage);
    } else if (command === 'results') {
      const results = await allResults(admin, limit);
      if (values.json) print(results);
      else printResults(results);
    } else {
      const deleted: DeleteAnswer[] = [];
      for (const id of positionals) {
        const answer = await admin.call<DeleteAnswer>('results', { id }, 'DELETE');
        deleted.push(answer);
        if (!values.json) {
          const what = [answer.video ? 'its kept video' : '', answer.task ? 'its task record' : ''].filter(Boolean).join(' and ');
          console.log(`Deleted ${id}: ${what}. The next view makes it again (once).`);
        }
      }
      if (values.json) print(deleted);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    say(error.message);
    return 1;
  }
}
