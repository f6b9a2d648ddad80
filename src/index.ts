// Side-effect-free entry: importing it registers nothing. Call NavtalkAvatar.define(), or import './define.js'.
import { LATER_STRINGS } from './element/later-strings.js';
import { FIRST_STRINGS, type NavtalkStrings } from './element/strings.js';

export {
  NavtalkAvatar,
  type NavtalkStatus,
  type NavtalkTrigger,
  type NavtalkStatusDetail,
  type NavtalkReadyDetail,
  type NavtalkErrorDetail,
  type NavtalkStatusEvent,
  type NavtalkReadyEvent,
  type NavtalkErrorEvent,
  type NavtalkEventMap,
} from './element/navtalk-avatar.js';
export type { NavtalkStrings } from './element/strings.js';
export type { ElementErrorCode, GenerateRequest, ParsingMode } from './protocol/index.js';

/** Every text the element shows, in English: a base for `strings` in another language. */
export const DEFAULT_STRINGS: NavtalkStrings = { ...FIRST_STRINGS, ...LATER_STRINGS };
