import { readFileSync, readdirSync } from 'node:fs';

export interface Workerd {
  pid: number;
  /** wrangler dev starts the Worker's own workerd with an inspector; its proxy workerd in front has none. */
  inspector: boolean;
}

/** The workerd processes in a process group (wrangler dev's) or with a given parent (Miniflare's), from /proc. */
export function workerdProcesses(where: { group: number } | { parent: number }): Workerd[] {
  const found: Workerd[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat after the command name (which may hold spaces): state, ppid, pgrp, ...
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      if ('group' in where ? pgrp !== where.group : ppid !== where.parent) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!cmdline[0]?.endsWith('/workerd')) continue;
      found.push({ pid: Number(entry), inspector: cmdline.some((a) => a.startsWith('--inspector-addr')) });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Resident set size in bytes, from /proc/PID/status; undefined once the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
