/** Status pills that follow an element's reflected status (`.status-pill` in site.css). */
import type { NavtalkAvatar } from '../../src/index.js';

export function followStatus(avatar: NavtalkAvatar, pill: HTMLElement): void {
  const show = () => {
    pill.dataset.status = avatar.status;
    pill.textContent = avatar.status;
  };
  avatar.addEventListener('navtalk-status', show);
  show();
}

/** Wires every `[data-status-of="ID"]` pill on the page to the element with that id. */
export function bindStatusPills(root: ParentNode = document): void {
  for (const pill of root.querySelectorAll<HTMLElement>('[data-status-of]')) {
    const avatar = document.getElementById(pill.dataset.statusOf!);
    if (avatar instanceof HTMLElement && avatar.localName === 'navtalk-avatar') followStatus(avatar as NavtalkAvatar, pill);
  }
}
