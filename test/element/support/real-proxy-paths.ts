// What the browser tests and the runner's real proxies (real-proxy.ts, Node only) both need to know.
export const REAL_PROXY_PATH = '/real-proxy';
export const REFUSING_PROXY_PATH = `${REAL_PROXY_PATH}/refusing`;
/** A proxy whose mock leaves every task running until the test ends it (done or failed). */
export const FAILING_PROXY_PATH = `${REAL_PROXY_PATH}/failing`;
/** A voice NavTalk does not document, which the real proxy's ALLOWED_VOICES adds (the mock refuses it, as NavTalk would). */
export const EXTRA_VOICE = 'marin';
/** What the refusing mock answers /generate; `{license}` stands for the key. */
export const REFUSAL = 'image_url could not be decoded as an image (license {license})';
