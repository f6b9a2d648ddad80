import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../src/proxy/index.js';

const SECRETS = ['NAVTALK_API_KEY', 'SIGNING_SECRET', 'SIGNING_SECRET_PREVIOUS', 'ADMIN_TOKEN'];
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the variables are the same in the code, wrangler.jsonc and docs/proxy.md', () => {
  it('wrangler.jsonc lists every non-secret variable with the code default, and no secret', () => {
    // JSONC: drop // comments outside strings.
    const jsonc = read('wrangler.jsonc').replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*/g, (_m, string: string | undefined) => string ?? '');
    const vars = (JSON.parse(jsonc) as { vars: Record<string, string> }).vars;
    const expected = Object.fromEntries(
      Object.entries(CONFIG_DEFAULTS).filter(([name]) => !SECRETS.includes(name)).map(([name, value]) => [name, value ?? '']),
    );
    expect(vars).toEqual(expected);
  });

  it('the docs table has a row for every variable with its default', () => {
    const docs = read('docs/proxy.md');
    for (const [name, value] of Object.entries(CONFIG_DEFAULTS)) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      if (value !== undefined) expect(row, name).toContain(`| \`${value}\` |`);
    }
  });
});
