/**
 * The landing page's "live vs pre-rendered" pair: the same face and voice, each with its own line. The
 * pre-rendered one's request is shared with scripts/start.ts, which makes its video through the local Worker at
 * startup (as `navtalk-avatar prerender` would) and hands the URL over in VITE_PRERENDERED_URL; a demo built without
 * it (the framework tests) plays the NavTalk mock's sample video instead, and says so.
 */
import type { GenerateRequest } from '../../src/protocol/index.js';

export const PAIR_VOICE = 'coral';
export const LIVE_TEXT = 'I am being made right now, through the proxy, while you wait for me.';
export const PRERENDERED_TEXT = 'I was made before you arrived, so I am ready the moment you are.';

/** The request the pre-rendered avatar's tag stands for, with the mock at `mockUrl` serving its face. */
export const prerenderedRequest = (mockUrl: string): GenerateRequest => ({
  image_url: `${mockUrl}/samples/face.png`, content: PRERENDERED_TEXT, voice: PAIR_VOICE,
});
