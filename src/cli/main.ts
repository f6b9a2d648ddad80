#!/usr/bin/env node
/**
 * navtalk-avatar: the build-time command for pages with <navtalk-avatar> tags.
 *
 *   navtalk-avatar sign FILES...                        fill signature="..." (proxies in AUTH_MODE=signed)
 *   navtalk-avatar prerender FILES... --endpoint URL    make each tag's video now and write result-url into it
 *     [--out DIR [--base PATH]]                         ...downloaded into the site's own files (no proxy at view time)
 *   navtalk-avatar check FILES... [--verify]            for CI: every tag's result-url was made from its inputs (and loads)
 *   navtalk-avatar usage | results | delete ID...       the operator's view of a proxy (admin.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_USAGE, adminCommand } from './admin.js';
import { envOrDevVar } from './dev-vars.js';
import { avatarTags } from './html.js';
import {
  RESULT_HASH, RESULT_URL, UNKEPT_WARNING, applyPlan, planHtml, pool, renderRequest, requestHash,
  RenderError, type HtmlPlan, type TagOutcome,
} from './prerender.js';
import { configuredVoices, signCommand } from './sign.js';
import { DEFAULT_CACHE_DIR, DEFAULT_CACHE_FILE, ResultCache, fileState, place, staticFileOf, staticUrl } from './static.js';

const USAGE = `Usage:
  navtalk-avatar sign [--secret-env NAME] [--check] FILE.html...
  navtalk-avatar prerender FILE.html... --endpoint URL [--origin URL] [--concurrency N] [--timeout SECONDS] [--secret-env NAME]
      [--out DIR [--base PATH] [--cache-file FILE] [--cache-dir DIR]]
  navtalk-avatar check FILE.html... [--verify] [--out DIR --base PATH]
${ADMIN_USAGE}`;

const SECONDS = /^\d+$/;

/** A table for the terminal: columns padded to their widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

async function prerender(argv: string[]): Promise<number> {
  const { values, positionals: files } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      endpoint: { type: 'string' }, origin: { type: 'string' }, concurrency: { type: 'string', default: '4' },
      timeout: { type: 'string', default: '300' }, 'secret-env': { type: 'string', default: 'SIGNING_SECRET' },
      out: { type: 'string' }, base: { type: 'string' },
      'cache-file': { type: 'string', default: DEFAULT_CACHE_FILE }, 'cache-dir': { type: 'string', default: DEFAULT_CACHE_DIR },
    },
  });
  let endpoint: URL;
  try {
    endpoint = new URL(values.endpoint ?? '');
    if (!/^https?:$/.test(endpoint.protocol)) throw new Error();
  } catch {
    console.error(`navtalk-avatar prerender: --endpoint must be the http(s) URL of your deployed proxy.\n${USAGE}`);
    return 2;
  }
  if (files.length === 0 || !SECONDS.test(values.concurrency!) || Number(values.concurrency) < 1 || !SECONDS.test(values.timeout!)) {
    console.error(`navtalk-avatar prerender: give one or more HTML files, --concurrency of at least 1 and --timeout in seconds.\n${USAGE}`);
    return 2;
  }
  // The proxy only answers pages of its ALLOWED_ORIGINS: by default the endpoint's own origin.
  const origin = values.origin ?? endpoint.origin;
  const signingSecret = envOrDevVar(values['secret-env']!);
  const voices = configuredVoices();
  const { out, base } = values;
  if (base !== undefined && out === undefined) {
    console.error(`navtalk-avatar prerender: --base needs --out (the folder it stands for).\n${USAGE}`);
    return 2;
  }
  // A static export keeps its results between builds, so unchanged scripts cost no request and no download.
  const cache = out === undefined ? undefined : await ResultCache.open(values['cache-file']!, values['cache-dir']!);

  const plans = new Map<string, HtmlPlan>();
  for (const file of files) {
    const plan = await planHtml(readFileSync(file, 'utf8'), voices);
    // Exporting, a tag is up to date only if its result-url names an intact file of the export.
    if (out !== undefined) {
      for (const entry of plan.tags) {
        const named = entry.outcome.status === 'up to date' ? staticFileOf(file, entry.outcome.resultUrl!, out, base) : undefined;
        if (entry.outcome.status === 'up to date' && (!named || (await fileState(named)) !== 'ok')) entry.needs = true;
      }
    }
    plans.set(file, plan);
  }
  const jobs = [...plans].flatMap(([file, plan]) => plan.tags.filter((t) => t.needs).map((entry) => ({ file, entry })));
  const pending = new Map([...plans.keys()].map((file) => [file, jobs.filter((j) => j.file === file).length]));
  let finished = 0;
  const where = (file: string, o: TagOutcome) => `${file}:${o.line}:${o.column}`;
  const progress = (line: string) => console.log(`[${finished}/${jobs.length}] ${line}`);
  console.log(`${jobs.length} video${jobs.length === 1 ? '' : 's'} to make through ${endpoint.href} (${Number(values.concurrency)} at a time)${out === undefined ? '' : `, into ${out}`}`);

  /** Writes a file once all its tags are settled, and only if every one of them is fine. */
  const settle = async (file: string) => {
    const plan = plans.get(file)!;
    const out = await applyPlan(plan, signingSecret);
    if (out !== plan.html) writeFileSync(file, out);
    else if (plan.tags.some((t) => t.outcome.status === 'failed')) progress(`${file}: left untouched (a tag failed)`);
  };
  for (const [file, count] of pending) if (count === 0) await settle(file);

  await pool(jobs, Number(values.concurrency), async ({ file, entry }) => {
    const { outcome, tag } = entry;
    const here = where(file, outcome);
    try {
      if (!tag.request.ok) throw new RenderError('invalid_input', tag.request.message);
      const request = tag.request.value;
      const started = Date.now();
      const render = () => renderRequest(request, {
        endpoint: endpoint.href, origin, timeoutMs: Number(values.timeout) * 1000,
        ...(signingSecret ? { signingSecret } : {}),
        onStatus: (status) => progress(`${here} ${status} (${Math.round((Date.now() - started) / 1000)} s)`),
      });
      if (cache) {
        const placed = await place(await cache.file(entry.hash!, render), out!);
        Object.assign(outcome, { status: 'rendered', resultUrl: staticUrl(file, out!, basename(placed), base) });
      } else {
        const rendered = await render();
        Object.assign(outcome, { status: 'rendered', resultUrl: rendered.resultUrl }, rendered.kept ? {} : { warning: UNKEPT_WARNING });
      }
    } catch (error) {
      Object.assign(outcome, { status: 'failed', error: error instanceof RenderError ? `${error.code}: ${error.message}` : String(error) });
    }
    finished++;
    progress(`${here} ${outcome.status}${outcome.warning ? `: warning: ${outcome.warning}` : ''}${outcome.error ? `: ${outcome.error}` : ''}`);
    pending.set(file, pending.get(file)! - 1);
    if (pending.get(file) === 0) await settle(file);
  });

  const rows = [['tag', 'result', 'video or reason']];
  for (const [file, plan] of plans) {
    for (const { outcome } of plan.tags) {
      rows.push([where(file, outcome), outcome.status, outcome.error ?? `${outcome.resultUrl ?? ''}${outcome.warning ? ` (warning: ${outcome.warning})` : ''}`]);
    }
  }
  console.log(`\n${table(rows)}`);
  const failed = [...plans.values()].some((p) => p.tags.some((t) => t.outcome.status === 'failed'));
  return failed ? 1 : 0;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals: files } = parseArgs({
    args: argv, allowPositionals: true, options: { verify: { type: 'boolean' }, out: { type: 'string' }, base: { type: 'string' } },
  });
  if (files.length === 0) {
    console.error(`navtalk-avatar check: give one or more HTML files.\n${USAGE}`);
    return 2;
  }
  const voices = configuredVoices();
  let problems = 0;
  let checked = 0;
  let intact = 0;
  for (const file of files) {
    for (const tag of avatarTags(readFileSync(file, 'utf8'), voices)) {
      const url = tag.attributes.get(RESULT_URL);
      const named = url ? staticFileOf(file, url, values.out, values.base) : undefined;
      if (!tag.hasInputs && !named) continue;
      const here = `${file}:${tag.line}:${tag.column}`;
      const report = (message: string) => {
        problems++;
        console.error(`${here}: ${message}`);
      };
      // A static result's file must be in the site and intact, whatever made it.
      if (named) {
        const state = await fileState(named);
        if (state === 'ok') intact++;
        else report(`its result file ${named} ${state === 'missing' ? 'is missing' : 'does not match its hash'}: run navtalk-avatar prerender --out`);
      }
      if (!tag.hasInputs) continue;
      checked++;
      if (!tag.request.ok) report(tag.request.message);
      else if (!url) report('no result-url: run navtalk-avatar prerender');
      else if (tag.attributes.get(RESULT_HASH) !== (await requestHash(tag.request.value))) report('the inputs changed since its result-url was made: run navtalk-avatar prerender');
      else if (values.verify && !named) {
        if (url.startsWith('/')) report('its result-url is a path on the site: give --out DIR --base PATH to check its file');
        else {
          const status = await fetch(url, { headers: { range: 'bytes=0-0' }, signal: AbortSignal.timeout(15_000) })
            .then(async (r) => { await r.body?.cancel(); return r.ok ? 0 : r.status; }, () => -1);
          if (status) report(`its result-url does not load (${status < 0 ? 'unreachable' : `HTTP ${status}`}): run navtalk-avatar prerender`);
        }
      }
    }
  }
  if (!problems) {
    const intactNote = intact ? `, ${intact} result file${intact === 1 ? '' : 's'} intact` : '';
    console.log(`${checked} pre-rendered tag${checked === 1 ? '' : 's'} up to date${intactNote}${values.verify ? ', every video loads' : ''}.`);
  }
  return problems ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'sign': return await signCommand(rest);
      case 'prerender': return await prerender(rest);
      case 'check': return await check(rest);
      case 'usage': case 'results': case 'delete': return await adminCommand(command, rest);
      case undefined: case 'help': case '--help': case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`navtalk-avatar: unknown command ${JSON.stringify(command)}.\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    // parseArgs' own errors (an unknown option, a missing value) read well as they are.
    console.error(`navtalk-avatar ${command}: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
