/** Tiny DOM helpers. Text only ever reaches the page through textContent. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id} in dashboard.html`);
  return found as T;
}

export interface ElOptions {
  class?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElOptions = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Shows a message in an error slot (or clears it); the slot is announced through role=alert. */
export function showError(slot: HTMLElement, message: string | undefined): void {
  slot.textContent = message ?? '';
  slot.hidden = !message;
}

/** True when the event is Ctrl+Enter or Cmd+Enter. */
export function isSubmitChord(e: KeyboardEvent): boolean {
  return e.key === 'Enter' && (e.ctrlKey || e.metaKey);
}
