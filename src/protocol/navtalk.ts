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

/** NavTalk's own preview still of a built-in character, used as the poster while a video generates. */
export function characterPreviewUrl(characterName: string): string {
  return `https://api.navtalk.ai/uploadFiles/${encodeURIComponent(characterName)}.png`;
}
