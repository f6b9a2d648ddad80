// Side-effect-free entry: importing it registers nothing. Call NavtalkAvatar.define(), or import './define.js'.
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
export { DEFAULT_STRINGS, type NavtalkStrings } from './element/strings.js';
export type { ElementErrorCode, GenerateRequest, ParsingMode } from './protocol/index.js';
