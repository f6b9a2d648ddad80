/**
 * The settable properties of <navtalk-avatar>, derived from its class so framework typings follow it:
 * its own public fields (each attribute, camelCased, plus `audio` and `strings`), without methods,
 * read-only state (`status`, `taskId`, ...) or what it inherits from LitElement.
 */
import type { LitElement } from 'lit';
import type { NavtalkAvatar, NavtalkEventMap } from '../index.js';

type IfEqual<A, B, Then, Else> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? Then : Else;
type WritableKeys<T> = {
  [K in keyof T]-?: IfEqual<{ [P in K]: T[K] }, { -readonly [P in K]: T[K] }, K, never>;
}[keyof T];
type DataKeys<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? never : K }[keyof T];
type OwnKeys = Exclude<keyof NavtalkAvatar, keyof LitElement>;

export type NavtalkAvatarProperties = Partial<
  Pick<NavtalkAvatar, OwnKeys & WritableKeys<NavtalkAvatar> & DataKeys<NavtalkAvatar>>
>;

/**
 * One listener prop per event, named the framework's way: `on` + the event name for React 19, Preact and Svelte 5
 * (`onnavtalk-ready`), `on:` for Solid (`on:navtalk-ready`).
 */
export type NavtalkAvatarEventProps<Prefix extends string> = {
  [K in keyof NavtalkEventMap as `${Prefix}${K}`]?: (event: NavtalkEventMap[K]) => void;
};

export type { NavtalkAvatar, NavtalkEventMap };
