/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The NavTalk mock's base URL (see vite.demo.config.ts). */
  readonly VITE_MOCK_URL: string;
  /** The landing page's pre-rendered video, when `npm start` made one (scripts/start.ts). */
  readonly VITE_PRERENDERED_URL?: string;
  /** The result-hash of that video's request. */
  readonly VITE_PRERENDERED_HASH?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
