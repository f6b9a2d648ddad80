/**
 * `navtalk-avatar sign` (also installed as `navtalk-sign`): signs <navtalk-avatar> tags at build time so a proxy
 * in AUTH_MODE=signed generates only the scripts the site owner approved.
 *
 *   navtalk-avatar sign [--secret-env NAME] [--check] page.html ...   fill (or, with --check, verify) signature attributes
 *   navtalk-avatar sign --print --character navtalk.Leo --text "Hi" --voice echo   print one signature
 *
 * The secret comes from an environment variable (SIGNING_SECRET by default) or from .dev.vars in the
 * current folder, never from the command line, where it would land in shell history and `ps`. Voices are
 * checked against ALLOWED_VOICES from the same places when it is set (as the proxy does), else NavTalk's list.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_VOICES, FIELD_NAMES, FIELDS, attributeOf, requestFromAttributes, validateGenerateRequest } from '../protocol/index.js';
import { signRequest } from '../proxy/signing.js';
import { envOrDevVar } from './dev-vars.js';
import { signHtml } from './sign-html.js';

const USAGE = `Usage:
  navtalk-avatar sign [--secret-env NAME] [--check] FILE.html...
  navtalk-avatar sign [--secret-env NAME] --print --character NAME (--text TEXT --voice VOICE | --audio-url URL | ...)`;

const fieldOptions = Object.fromEntries(
  FIELD_NAMES.filter((f) => f !== 'signature').map((f) => [FIELDS[f], { type: 'string' as const }]),
);

/** The voices the proxy accepts: ALLOWED_VOICES from the environment or .dev.vars when set (as the proxy reads it), else NavTalk's. */
export function configuredVoices(): ReadonlySet<string> {
  const allowed = envOrDevVar('ALLOWED_VOICES')?.split(',').map((v) => v.trim()).filter(Boolean);
  return allowed?.length ? new Set(allowed) : DEFAULT_VOICES;
}

/** Runs the sign command; `name` is how the user called it (`navtalk-avatar sign`, or the `navtalk-sign` alias), for messages. */
export async function signCommand(argv: string[], name = 'navtalk-avatar sign'): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'secret-env': { type: 'string', default: 'SIGNING_SECRET' }, check: { type: 'boolean' }, print: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...fieldOptions },
    });
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || (!values.print && positionals.length === 0)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const secretEnv = values['secret-env'] as string;
  const secret = envOrDevVar(secretEnv);
  if (!secret) {
    console.error(`${name}: set the signing secret in the ${secretEnv} environment variable (or in .dev.vars).`);
    return 2;
  }

  const voices = configuredVoices();

  if (values.print) {
    const options = values as Record<string, string | boolean | undefined>;
    const result = validateGenerateRequest(requestFromAttributes((attribute) => options[attribute] as string | undefined), attributeOf, voices);
    if (!result.ok) {
      console.error(`${name}: ${result.message}`);
      return 1;
    }
    console.log(await signRequest(result.value, secret));
    return 0;
  }

  let problems = 0;
  for (const file of positionals) {
    const html = readFileSync(file, 'utf8');
    const signed = await signHtml(html, secret, voices);
    for (const tag of signed.tags) {
      const where = `${file}:${tag.line}:${tag.column}`;
      if (tag.problem) {
        problems++;
        console.error(`${where}: cannot sign: ${tag.problem}`);
      } else if (tag.stale && values.check) {
        problems++;
        console.error(`${where}: signature missing or out of date`);
      } else if (tag.stale) {
        console.log(`${where}: signed`);
      }
    }
    if (!values.check && signed.html !== html) writeFileSync(file, signed.html);
    if (signed.tags.length === 0) console.log(`${file}: no <navtalk-avatar> tags`);
  }
  return problems ? 1 : 0;
}

