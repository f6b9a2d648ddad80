import { building } from '$app/environment';
import { prerenderAvatar } from 'navtalk-avatar/prerender';

export const prerender = true;

const avatar = { character: 'navtalk.Leo', text: 'Welcome to our SvelteKit site.', voice: 'echo' };

export async function load() {
  const endpoint = process.env.NAVTALK_ENDPOINT;
  const made = await prerenderAvatar(avatar, {
    endpoint,
    origin: process.env.NAVTALK_ORIGIN,
    // SvelteKit copies static/ before it pre-renders, so the video goes into the client output it copies to the site.
    ...(building ? { outDir: '.svelte-kit/output/client/avatars', base: '/avatars/' } : {}),
  });
  return { avatar, endpoint, made };
}
