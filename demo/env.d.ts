/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The NavTalk mock's base URL (see vite.demo.config.ts). */
  readonly VITE_MOCK_URL: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
