#!/usr/bin/env node
// Finds a Chromium for the browser tests: CHROME_PATH, then Debian/Ubuntu chromium, then Google Chrome.
// With none, installs Debian's chromium when it can (root with apt-get); otherwise prints one line of
// instruction and exits 1. Run directly, it prints the path.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const FIXED = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'];
const ON_PATH = ['chromium-browser', 'google-chrome', 'google-chrome-stable'];

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (name) =>
  (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)).find(executable);

function locate() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  return FIXED.find(executable) ?? ON_PATH.map(onPath).find(Boolean);
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

/** The path of a Chromium to run the tests in; may install one (Debian, as root) or exit with an instruction. */
export function findChromium() {
  const found = locate();
  if (found) return found;
  if (process.env.CHROME_PATH) fail(`CHROME_PATH=${process.env.CHROME_PATH} is not an executable; point it at Chromium or Chrome.`);
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    console.error('No Chromium found: installing Debian\'s chromium (apt-get install -y chromium)...');
    try {
      execFileSync('apt-get', ['update'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch {
      fail('Installing chromium with apt-get failed; install Chromium or Chrome and set CHROME_PATH to it.');
    }
    const installed = locate();
    if (installed) return installed;
  }
  return fail('No Chromium found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROME_PATH to Chromium or Chrome.');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(findChromium());
