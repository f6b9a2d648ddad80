/**
 * Where the demo finds things. The proxy is always same-origin `/api/navtalk` (Vite forwards it to the
 * Worker). Sample media come from the NavTalk mock: VITE_MOCK_URL when the dev server starts (`npm start`
 * sets it), else the mock's default address; vite.demo.config.ts makes that choice once.
 */
export const ENDPOINT = '/api/navtalk';
export const MOCK_URL: string = import.meta.env.VITE_MOCK_URL;
/**
 * The landing page's pre-rendered video and the hash of the request it was made from: `npm start` makes it through
 * the local Worker at startup and sets VITE_PRERENDERED_URL and VITE_PRERENDERED_HASH (see demo/lib/prerendered.ts).
 */
export const PRERENDERED_URL: string | undefined = import.meta.env.VITE_PRERENDERED_URL || undefined;
export const PRERENDERED_HASH: string | undefined = import.meta.env.VITE_PRERENDERED_HASH || undefined;

export type SampleFile = 'face.png' | 'avatar.mp4' | 'source.mp4' | 'voice.mp3' | 'voice.wav';
export const sampleUrl = (file: SampleFile): string => `${MOCK_URL}/samples/${file}`;

/** A sample as a Blob, for the `audio` property (it is sent as audio_base64). */
export async function sampleBlob(file: SampleFile): Promise<Blob> {
  const res = await fetch(sampleUrl(file));
  if (!res.ok) throw new Error(`Could not load the sample ${file} from the mock (HTTP ${res.status}).`);
  return res.blob();
}
