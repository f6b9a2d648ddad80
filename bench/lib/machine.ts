import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { Browser } from 'playwright-core';

const ROOT = new URL('../..', import.meta.url).pathname;
const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
const version = (pkg: string) => (JSON.parse(read(`${ROOT}node_modules/${pkg}/package.json`) || '{}') as { version?: string }).version ?? '?';

export const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' / ');

/** What the figures ran on. */
export function machine(browser: Browser, loadAtStart: string): [string, string][] {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(read('/proc/cpuinfo'))?.[1] ?? cpus()[0]?.model ?? '?';
  const os = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(read('/etc/os-release'))?.[1] ?? 'Linux';
  const workerd = execFileSync(`${ROOT}node_modules/.bin/workerd`, ['--version'], { encoding: 'utf8' }).trim();
  return [
    ['CPU', `${cpu}, ${cpus().length} cores`],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${os}, kernel ${release()}`],
    ['Node', process.version],
    ['Chromium', `${browser.version()} (headless, playwright-core ${version('playwright-core')})`],
    ['workerd', `${workerd} (wrangler ${version('wrangler')}, \`wrangler dev\` on 127.0.0.1)`],
    ['autocannon', version('autocannon')],
    ['load average (1 / 5 / 15 min) at start', loadAtStart],
    ['load average at end', loadAverage()],
  ];
}
