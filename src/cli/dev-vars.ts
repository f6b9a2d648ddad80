import { existsSync, readFileSync } from 'node:fs';

/**
 * A variable from the environment, else from wrangler's `.dev.vars` in the current folder (NAME=value lines,
 * optionally quoted): where local secrets live, so they never need to be typed on a command line.
 */
export function envOrDevVar(name: string): string | undefined {
  if (process.env[name]) return process.env[name];
  if (!existsSync('.dev.vars')) return undefined;
  const line = readFileSync('.dev.vars', 'utf8').split('\n').find((l) => l.trim().startsWith(`${name}=`));
  return line?.slice(line.indexOf('=') + 1).trim().replace(/^"(.*)"$/, '$1') || undefined;
}
