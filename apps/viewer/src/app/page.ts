// A page: its element, its title, and what to stop when the user leaves it (polling, charts, workers).
import { el } from './dom.ts';

export interface Page {
  title: string;
  element: HTMLElement;
  dispose?(): void;
}

/** The page's <h1>; focus moves to it on navigation so keyboard and screen-reader users start there. */
export function heading(text: string): HTMLHeadingElement {
  return el('h1', { tabindex: -1, className: 'page-title' }, text);
}

/** Runs `fn` every `ms` while the page is open; skips ticks while the tab is hidden or a tick is running. */
export function every(ms: number, fn: () => Promise<void>): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || document.hidden) return;
    busy = true;
    fn()
      .catch((err: unknown) => console.warn('poll failed', err))
      .finally(() => (busy = false));
  }, ms);
  return () => clearInterval(timer);
}

export function statusBadge(status: string | undefined, extra?: string): HTMLElement {
  const text = status ?? 'unknown';
  return el('span', { className: `badge ${extra ?? text}` }, text);
}
