// report.md rendered with marked, then sanitised: run directories are files anyone could have written, so
// only plain document elements survive (no scripts, styles, event handlers, iframes or javascript: links).
import { marked } from 'marked';
import { el } from '../app/dom.ts';

const ALLOWED = new Set([
  'a', 'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'strong', 'em', 'del', 'code', 'pre',
  'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'div', 'sup', 'sub', 'input',
]);
const ATTRS: Record<string, Set<string>> = { a: new Set(['href', 'title']), th: new Set(['align']), td: new Set(['align']), input: new Set(['type', 'checked', 'disabled']) };

function sanitize(node: Element): void {
  for (const child of [...node.children]) {
    const tag = child.tagName.toLowerCase();
    if (!ALLOWED.has(tag)) {
      if (tag === 'script' || tag === 'style' || tag === 'iframe' || tag === 'object') child.remove();
      else child.replaceWith(...child.childNodes);
      continue;
    }
    for (const attr of [...child.attributes]) {
      const ok = ATTRS[tag]?.has(attr.name) ?? false;
      const safeHref = attr.name !== 'href' || /^(https?:|#|\.{0,2}\/|[^:]*$)/i.test(attr.value.trim());
      if (!ok || !safeHref) child.removeAttribute(attr.name);
    }
    if (tag === 'input' && child.getAttribute('type') !== 'checkbox') child.remove();
    sanitize(child);
  }
}

export function renderMarkdown(text: string): HTMLElement {
  const html = marked.parse(text, { async: false, gfm: true });
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const root = doc.body.firstElementChild!;
  sanitize(root);
  // Report headings sit under the page's own h2 "Report": shift them down a level.
  const container = el('div', { className: 'report', 'data-testid': 'report' });
  container.append(...root.childNodes);
  for (const h of [...container.querySelectorAll('h1, h2, h3, h4, h5')]) {
    const level = Math.min(6, Number(h.tagName[1]) + 2);
    const replacement = document.createElement(`h${level}`);
    replacement.append(...h.childNodes);
    h.replaceWith(replacement);
  }
  return container;
}
