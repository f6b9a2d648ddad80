/** What every demo page does: the theme toggle, copy buttons on code blocks, and the mock's address. */
import { MOCK_URL } from './config.js';

const THEME_KEY = 'navtalk-demo-theme';

function setUpThemeToggle(): void {
  const button = document.querySelector<HTMLButtonElement>('[data-theme-toggle]');
  if (!button) return;
  const root = document.documentElement;
  const systemDark = matchMedia('(prefers-color-scheme: dark)');
  const isDark = () => (root.dataset.theme ?? (systemDark.matches ? 'dark' : 'light')) === 'dark';
  const sync = () => button.setAttribute('aria-pressed', String(isDark()));
  button.addEventListener('click', () => {
    root.dataset.theme = isDark() ? 'light' : 'dark';
    try {
      localStorage.setItem(THEME_KEY, root.dataset.theme);
    } catch {
      // Storage may be off (private mode); the choice then lasts for this page only.
    }
    sync();
  });
  systemDark.addEventListener('change', sync);
  sync();
}

/** One polite live region per page, so "Copied" and similar confirmations are announced. */
let announcer: HTMLElement | undefined;
export function announce(message: string): void {
  if (!announcer) {
    announcer = document.createElement('div');
    announcer.className = 'visually-hidden';
    announcer.setAttribute('role', 'status');
    document.body.append(announcer);
  }
  announcer.textContent = '';
  // A fresh text node after clearing makes screen readers repeat an identical message.
  requestAnimationFrame(() => (announcer!.textContent = message));
}

/** Copies the text of the code block a `.copy-button` sits in. Works for blocks rendered later too. */
function setUpCopyButtons(): void {
  document.addEventListener('click', async (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('.copy-button');
    const code = button?.closest('.code')?.querySelector('pre')?.textContent;
    if (!button || code == null) return;
    const label = button.querySelector('span') ?? button;
    try {
      await navigator.clipboard.writeText(code);
      label.textContent = 'Copied';
      announce('Copied to the clipboard.');
    } catch {
      label.textContent = 'Press Ctrl+C';
      getSelection()?.selectAllChildren(button.closest('.code')!.querySelector('pre')!);
    }
    setTimeout(() => (label.textContent = 'Copy'), 1600);
  });
}

/** On narrow screens the nav scrolls sideways: bring the current page's link into view. */
function revealCurrentNavLink(): void {
  const link = document.querySelector<HTMLElement>('.site-nav [aria-current="page"]');
  const list = link?.closest('ul');
  if (link && list && list.scrollWidth > list.clientWidth) {
    list.scrollLeft = link.offsetLeft - (list.clientWidth - link.offsetWidth) / 2;
  }
}

setUpThemeToggle();
setUpCopyButtons();
revealCurrentNavLink();
for (const node of document.querySelectorAll('[data-mock-url]')) node.textContent = MOCK_URL;
