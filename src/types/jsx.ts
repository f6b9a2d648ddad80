/**
 * JSX typings for `<navtalk-avatar>` in React 19 without the wrapper. React 19 sets known props as
 * properties and turns `on` + event name props into listeners, case-sensitively: `onnavtalk-ready`.
 * Use: `import type {} from 'navtalk-avatar/jsx';` once in the app (and import 'navtalk-avatar/define').
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { NavtalkAvatar, NavtalkAvatarEventProps, NavtalkAvatarProperties } from './properties.js';

export type NavtalkAvatarEventHandlers = NavtalkAvatarEventProps<'on'>;

export type NavtalkAvatarJsxProps = DetailedHTMLProps<HTMLAttributes<NavtalkAvatar>, NavtalkAvatar> &
  NavtalkAvatarProperties &
  NavtalkAvatarEventHandlers;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'navtalk-avatar': NavtalkAvatarJsxProps;
    }
  }
}
