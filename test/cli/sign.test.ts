import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { signHtml } from '../../src/cli/sign-html.js';
import { requestFromAttributes } from '../../src/protocol/index.js';
import { signRequest, verifyRequest } from '../../src/proxy/signing.js';

const SECRET = 'test-signing-secret';
const run = promisify(execFile);
// tsx by path, so the CLI also starts from a temporary folder without node_modules.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const cli = (args: string[], env: Record<string, string> = { SIGNING_SECRET: SECRET }, cwd?: string) =>
  run(process.execPath, ['--import', TSX, join(import.meta.dirname, '../../src/cli/navtalk-sign.ts'), ...args], { env: { ...process.env, SIGNING_SECRET: '', ...env }, cwd })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

const PAGE = `<!doctype html>
<main>
  <navtalk-avatar endpoint="/api/navtalk" character="navtalk.Leo" text="Welcome &amp; hello!" voice="echo"></navtalk-avatar>
  <navtalk-avatar endpoint="/api/navtalk" image-url="https://cdn.example.com/me.png" audio-url="https://cdn.example.com/hi.mp3" bbox-shift="3" signature="stale-signature-000000"></navtalk-avatar>
  <template><navtalk-avatar character="navtalk.Mia" text="In a template" voice="nova"/></template>
</main>`;

/** The signature attributes in a document, as the element would read them. */
const signaturesOf = (html: string) => [...html.matchAll(/signature="([^"]*)"/g)].map((m) => m[1]);

describe('signHtml', () => {
  it('fills each tag in place with a signature the proxy verifies for the body the element sends', async () => {
    const { html, tags } = await signHtml(PAGE, SECRET);
    expect(tags.map((t) => [t.line, t.stale, t.problem])).toEqual([[3, true, undefined], [4, true, undefined], [5, true, undefined]]);
    expect(html.replace(/ ?signature="[^"]*"/g, '')).toBe(PAGE.replace(/ ?signature="[^"]*"/g, ''));
    const [first, second] = signaturesOf(html);
    const body = requestFromAttributes((n) => ({ character: 'navtalk.Leo', text: 'Welcome & hello!', voice: 'echo' } as Record<string, string>)[n]);
    expect(await verifyRequest({ ...body, signature: first }, [SECRET])).toBe(true);
    expect(second).toBe(await signRequest({ image_url: 'https://cdn.example.com/me.png', audio_url: 'https://cdn.example.com/hi.mp3', bbox_shift: 3 }, SECRET));
  });

  it('is idempotent and reports invalid tags without signing them', async () => {
    const once = await signHtml(PAGE, SECRET);
    const twice = await signHtml(once.html, SECRET);
    expect(twice.html).toBe(once.html);
    expect(twice.tags.every((t) => !t.stale)).toBe(true);
    const bad = await signHtml('<navtalk-avatar character="navtalk.Leo" text="Hi"></navtalk-avatar>', SECRET);
    expect(bad.tags[0]!.problem).toMatch(/^voice is required with text/);
    expect(bad.html).not.toContain('signature=');
  });
});

describe('navtalk-sign CLI', () => {
  it('prints one signature from attribute-named flags', async () => {
    const { stdout, code } = await cli(['--print', '--character', 'navtalk.Leo', '--text', 'Hi', '--voice', 'echo']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(await signRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo' }, SECRET));
  });

  it('signs files, then --check passes; a changed text fails --check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'navtalk-sign-'));
    const file = join(dir, 'index.html');
    writeFileSync(file, PAGE);
    expect((await cli(['--check', file])).code).toBe(1);
    const signed = await cli([file]);
    expect(signed.code).toBe(0);
    expect(signed.stdout).toContain('index.html:3:3: signed');
    expect((await cli(['--check', file])).code).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('Welcome', 'Welcome back'));
    const check = await cli(['--check', file]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('index.html:3:3: signature missing or out of date');
  });

  it('reads the secret from .dev.vars and explains a missing secret in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'navtalk-sign-'));
    const missing = await cli(['--print', '--character', 'navtalk.Leo', '--audio-url', 'https://a.example/x.mp3'], {}, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('navtalk-sign: set the signing secret in the SIGNING_SECRET environment variable (or in .dev.vars).');
    writeFileSync(join(dir, '.dev.vars'), `NAVTALK_API_KEY=sk-x\nSIGNING_SECRET="${SECRET}"\n`);
    const fromFile = await cli(['--print', '--character', 'navtalk.Leo', '--audio-url', 'https://a.example/x.mp3'], {}, dir);
    expect(fromFile.stdout.trim()).toBe(await signRequest({ character_name: 'navtalk.Leo', audio_url: 'https://a.example/x.mp3' }, SECRET));
  });

  it('refuses an invalid request with the attribute named', async () => {
    const { code, stderr } = await cli(['--print', '--character', 'navtalk.Leo', '--text', 'Hi', '--voice', 'echo', '--bbox-shift', '12']);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('navtalk-sign: bbox-shift must be a whole number from -9 to 9 (got 12).');
  });
});
