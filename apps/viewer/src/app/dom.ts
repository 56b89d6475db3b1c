// A few helpers for building DOM without a framework. Text always goes in as text (never as HTML), so run
// files cannot inject markup; the one HTML sink is the sanitised Markdown report (pages/report_markdown.ts).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'className') node.className = String(value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

let idCounter = 0;
export const uniqueId = (prefix: string) => `${prefix}-${++idCounter}`;

/** A <label> + control pair; the control gets an id the label points at. */
export function labelled<T extends HTMLElement>(text: string, control: T, hint?: string): HTMLElement {
  const id = control.id || uniqueId('control');
  control.id = id;
  const hintNode = hint ? el('span', { className: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return el('div', { className: 'field' }, el('label', { for: id }, text), control, hintNode);
}

export function select(options: readonly { value: string; label: string }[], value: string | undefined, onChange: (value: string) => void): HTMLSelectElement {
  const node = el('select', {}, ...options.map((o) => el('option', { value: o.value, selected: o.value === value }, o.label)));
  node.addEventListener('change', () => onChange(node.value));
  return node;
}

/** A status or error message; role=alert for errors so assistive technology announces them. */
export function message(kind: 'error' | 'info' | 'warning', text: string, attrs: Attrs = {}): HTMLElement {
  return el('p', { className: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status', ...attrs }, text);
}

export function section(title: string, ...children: (Child | Child[])[]): HTMLElement {
  const id = uniqueId('section');
  return el('section', { 'aria-labelledby': id }, el('h2', { id }, title), ...children);
}
