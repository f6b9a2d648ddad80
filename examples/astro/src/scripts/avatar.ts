// The page's script, bundled by Astro for the browser: it registers the element (which then upgrades the tag the
// server rendered) and binds the page's controls to it.
import 'navtalk-avatar/define';

export function bindAvatar(page: Document): void {
  const avatar = page.querySelector('navtalk-avatar')!;
  const form = page.querySelector('form')!;
  const show = (id: string, value: string) => (page.querySelector(`[data-testid="${id}"]`)!.textContent = value);

  avatar.addEventListener('navtalk-status', (e) => show('status', e.detail.status));
  avatar.addEventListener('navtalk-ready', (e) => show('ready', e.detail.resultUrl));
  // A new text is set on submit only: every change is a new (paid) generation.
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    avatar.text = String(new FormData(form).get('text'));
  });
  page.getElementById('remove')!.addEventListener('click', () => avatar.remove());
}
