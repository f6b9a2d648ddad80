#!/usr/bin/env node
// `navtalk-sign`: the signing command under its first name, the same as `navtalk-avatar sign`.
import { signCommand } from './sign.js';

process.exitCode = await signCommand(process.argv.slice(2), 'navtalk-sign');
