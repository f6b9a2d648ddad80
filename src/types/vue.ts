/**
 * Vue 3 template typings for `<navtalk-avatar>` (vue-tsc, Volar): props are the element's properties and
 * `@navtalk-status`, `@navtalk-ready`, `@navtalk-error` get typed events. The shape is the one Vue's docs
 * give for custom elements. Use: `import type {} from 'navtalk-avatar/vue';` once in the app, and tell
 * Vue's compiler that navtalk-* tags are custom elements (`isCustomElement`).
 */
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type { NavtalkAvatar, NavtalkAvatarProperties, NavtalkEventMap } from './properties.js';

type Emits<Events> = EmitFn<{ [K in keyof Events]: (event: Events[K]) => void }>;

export type NavtalkAvatarVue = new () => NavtalkAvatar & {
  /** @deprecated For template type checking only; not on the element. */
  $props: HTMLAttributes & NavtalkAvatarProperties & PublicProps;
  /** @deprecated For template type checking only; not on the element. */
  $emit: Emits<NavtalkEventMap>;
};

declare module 'vue' {
  interface GlobalComponents {
    'navtalk-avatar': NavtalkAvatarVue;
  }
}
