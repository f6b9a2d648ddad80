/**
 * Svelte 5 template typings for `<navtalk-avatar>` (svelte-check, the Svelte language server). Svelte sets a prop as a
 * property when the registered element has it (so import 'navtalk-avatar/define' before mounting) and listens with
 * `on` + the event name: `onnavtalk-ready`. Use: `import type {} from 'navtalk-avatar/svelte';` once in the app.
 */
import type { HTMLAttributes } from 'svelte/elements';
import type { NavtalkAvatar, NavtalkAvatarEventProps, NavtalkAvatarProperties } from './properties.js';

export type NavtalkAvatarSvelteProps = HTMLAttributes<NavtalkAvatar> & NavtalkAvatarProperties & NavtalkAvatarEventProps<'on'>;

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'navtalk-avatar': NavtalkAvatarSvelteProps;
  }
}
