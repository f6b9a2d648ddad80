/**
 * Query parameters. Status request: `task_id`, `wait`, and `status`, the status the client last saw (for
 * long-polls). `GET ?video=` serves a stored video. `GET ?preview=` serves a character's preview image, and
 * `GET ?script=` the finished video of a request (scriptUrl); both are optional parts of the protocol. `POST
 * ?recheck=1`: what the client was given did not work for it, a video it could not load (the proxy checks it, and
 * makes it again only if it is gone) or a failure (Try again: the proxy makes it again, once however many clients
 * ask at the same moment).
 */
export const QUERY = {
  taskId: 'task_id', wait: 'wait', status: 'status', video: 'video', recheck: 'recheck', preview: 'preview', script: 'script',
} as const;

/**
 * Where a proxy serves a built-in character's preview image: `{endpoint}?preview=NAME`, a plain GET an `<img>` can
 * load, so pages fetch it from the site's own proxy and never from NavTalk's host.
 */
export function previewUrl(endpoint: string, characterName: string): string {
  const url = new URL(endpoint);
  url.searchParams.set(QUERY.preview, characterName);
  return url.href;
}
