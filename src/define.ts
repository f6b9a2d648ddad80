// Self-registering entry (the CDN bundle starts here): importing it defines <navtalk-avatar>.
// define() is a no-op where there is no DOM and when the tag is already taken, so SSR and double imports are safe.
// It exports the element only (DEFAULT_STRINGS and the rest come from 'navtalk-avatar'), so the bundle's first
// chunk carries nothing the first paint does not use.
import { NavtalkAvatar } from './element/navtalk-avatar.js';

NavtalkAvatar.define();

export { NavtalkAvatar };
export type * from './index.js';
