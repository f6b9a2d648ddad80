#!/usr/bin/env node
// Finds the browsers the tests run in, installed on this machine (nothing is ever downloaded):
// - findChromium(): CHROME_PATH, then Debian/Ubuntu chromium, then Google Chrome;
// - findFirefox(): FIREFOX_PATH, then Debian's firefox-esr, then firefox;
// - findWebKitDriver(): WEBKIT_DRIVER_PATH, then WebKitGTK's WebKitWebDriver (with xvfb-run to give it a display,
//   and the GStreamer plugins it plays H.264 with).
// With none, each installs the Debian package when it can (root with apt-get); otherwise it prints one line of
// instruction and exits 1. Run directly (`node scripts/find-browser.mjs firefox`), it prints the path.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const BROWSERS = {
  chromium: {
    label: 'Chromium',
    env: 'CHROME_PATH',
    fixed: ['/usr/bin/chromium', '/usr/lib/chromium/chromium'],
    onPath: ['chromium-browser', 'google-chrome', 'google-chrome-stable'],
    apt: ['chromium'],
    other: 'Chromium or Chrome',
  },
  firefox: {
    label: 'Firefox',
    env: 'FIREFOX_PATH',
    fixed: ['/usr/bin/firefox-esr', '/usr/bin/firefox'],
    onPath: ['firefox-esr', 'firefox'],
    // Its recommends include the libavcodec it plays H.264 with.
    apt: ['--install-recommends', 'firefox-esr'],
    other: 'Firefox (ESR or newer)',
  },
  webkit: {
    label: 'WebKitGTK WebDriver',
    env: 'WEBKIT_DRIVER_PATH',
    fixed: ['/usr/bin/WebKitWebDriver'],
    onPath: ['WebKitWebDriver'],
    // Headless WebKitGTK needs an X display: xvfb-run gives it one, with xauth (only recommended by xvfb).
    companions: ['xvfb-run', 'xauth'],
    apt: ['webkit2gtk-driver', 'xvfb', 'xauth', 'gstreamer1.0-libav', 'gstreamer1.0-plugins-good'],
    other: "WebKitGTK's WebKitWebDriver",
  },
};

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

function locate({ env, fixed, onPath: names, companions = [] }) {
  if (!companions.every(onPath)) return undefined;
  const fromEnv = process.env[env];
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  return fixed.find(executable) ?? names.map(onPath).find(Boolean);
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

function findBrowser(kind) {
  const browser = BROWSERS[kind];
  const { label, env, other } = browser;
  const apt = browser.apt.filter((name) => !name.startsWith('-')).join(' ');
  const found = locate(browser);
  if (found) return found;
  if (process.env[env] && executable(process.env[env])) fail(`${label} needs ${browser.companions.join(' and ')} on PATH (Debian/Ubuntu: sudo apt-get install ${apt}).`);
  if (process.env[env]) fail(`${env}=${process.env[env]} is not an executable; point it at ${other}.`);
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    console.error(`No ${label} found: installing Debian's ${apt} (apt-get install -y ${browser.apt.join(' ')})...`);
    try {
      execFileSync('apt-get', ['update'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', ...browser.apt], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch {
      fail(`Installing ${apt} with apt-get failed; install ${other} and set ${env} to it.`);
    }
    const installed = locate(browser);
    if (installed) return installed;
  }
  return fail(`No ${label} found: install it (Debian/Ubuntu: sudo apt-get install ${apt}) or set ${env} to ${other}.`);
}

/** The path of a Chromium to run the tests in; may install one (Debian, as root) or exit with an instruction. */
export const findChromium = () => findBrowser('chromium');

/** The path of a Firefox to run the tests in; may install firefox-esr (Debian, as root) or exit with an instruction. */
export const findFirefox = () => findBrowser('firefox');

/** The path of WebKitGTK's WebDriver (xvfb-run is on PATH beside it); may install both (Debian, as root) or exit with an instruction. */
export const findWebKitDriver = () => findBrowser('webkit');

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const kind = process.argv[2] ?? 'chromium';
  if (!(kind in BROWSERS)) fail(`usage: node scripts/find-browser.mjs [${Object.keys(BROWSERS).join('|')}]`);
  console.log(findBrowser(kind));
}
