import { readFileSync, readdirSync } from 'node:fs';

export interface Workerd {
  pid: number;
  /** `worker`: the workerd running the Worker and its Durable Objects; `proxy`: wrangler dev's own workerd in front. */
  role: 'worker' | 'proxy';
}

/** The workerd processes in wrangler's process group (Linux /proc). */
export function workerdProcesses(group: number): Workerd[] {
  const found: Workerd[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fifth field of /proc/PID/stat is the process group; the command name may hold spaces, so read after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== group) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!cmdline[0]?.endsWith('/workerd')) continue;
      // wrangler starts the Worker's runtime with an inspector; its proxy in front has none.
      found.push({ pid: Number(entry), role: cmdline.some((a) => a.startsWith('--inspector-addr')) ? 'worker' : 'proxy' });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Resident set size in bytes, from /proc/PID/status. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}
