/** Facts about NavTalk itself (see shared/navtalk-api.md), shared by the element, the proxy and the mock. */

/** The TTS voices NavTalk accepts with `content` (the OpenAI set). */
export const VOICES = [
  'alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse',
] as const;
export type Voice = (typeof VOICES)[number];

/** Built-in characters documented by NavTalk. The list grows, so the element does not reject others. */
export const CHARACTERS = [
  'navtalk.Alex', 'navtalk.Ethan', 'navtalk.Leo', 'navtalk.Lily', 'navtalk.Emma',
  'navtalk.Sophia', 'navtalk.Mia', 'navtalk.Chloe', 'navtalk.Zoe', 'navtalk.Ava',
] as const;

/** The host of NavTalk's preview stills (its legacy API host, not the one /generate is on). */
export const NAVTALK_PREVIEW_BASE_URL = 'https://api.navtalk.ai';

/**
 * NavTalk's own preview still of a built-in character (as NavTalk's samples use it). Proxies fetch it and serve it as
 * `?preview=`; `base` is where a stand-in (the mock) serves the same path.
 */
export function characterPreviewUrl(characterName: string, base = NAVTALK_PREVIEW_BASE_URL): string {
  return `${base}/uploadFiles/${encodeURIComponent(characterName)}.png`;
}
