#!/usr/bin/env node
// Finds a Chromium for the browser tests (see find-browser.mjs): CHROME_PATH, then Debian/Ubuntu chromium, then
// Google Chrome; may install Debian's chromium (root with apt-get). Run directly, it prints the path.
import { pathToFileURL } from 'node:url';
import { findChromium } from './find-browser.mjs';

export { findChromium };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(findChromium());
