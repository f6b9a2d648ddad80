/**
 * Solid JSX typings for `<navtalk-avatar>`. Solid sets a custom element's props as properties and listens to a
 * custom event with `on:` + its name: `on:navtalk-ready`. Use: `import type {} from 'navtalk-avatar/solid';` once in
 * the app.
 */
import type { JSX } from 'solid-js';
import type { NavtalkAvatar, NavtalkAvatarEventProps, NavtalkAvatarProperties } from './properties.js';

export type NavtalkAvatarSolidProps = JSX.HTMLAttributes<NavtalkAvatar> & NavtalkAvatarProperties & NavtalkAvatarEventProps<'on:'>;

declare module 'solid-js' {
  namespace JSX {
    interface IntrinsicElements {
      'navtalk-avatar': NavtalkAvatarSolidProps;
    }
  }
}
