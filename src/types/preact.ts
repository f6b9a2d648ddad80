/**
 * Preact JSX typings for `<navtalk-avatar>`. Preact sets a prop as a property when the element has it (so import
 * 'navtalk-avatar/define' before the first render) and turns `on` + event name into a listener: `onnavtalk-ready`.
 * Use: `import type {} from 'navtalk-avatar/preact';` once in the app.
 */
import type { HTMLAttributes } from 'preact';
import type { NavtalkAvatar, NavtalkAvatarEventProps, NavtalkAvatarProperties } from './properties.js';

export type NavtalkAvatarPreactProps = HTMLAttributes<NavtalkAvatar> & NavtalkAvatarProperties & NavtalkAvatarEventProps<'on'>;

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'navtalk-avatar': NavtalkAvatarPreactProps;
    }
  }
}
