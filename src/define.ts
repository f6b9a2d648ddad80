// Self-registering entry (the CDN bundle starts here): importing it defines <navtalk-avatar>.
// define() is a no-op where there is no DOM and when the tag is already taken, so SSR and double imports are safe.
import { NavtalkAvatar } from './element/navtalk-avatar.js';

NavtalkAvatar.define();

export * from './index.js';
