/** Builds and updates one headline's <li>. Text only through textContent; links only http(s). */
import type { Headline } from '../../shared/headline.js';
import { isUrgent } from '../../shared/order.js';
import { isHttpUrl, stripBidiControls } from '../../shared/text.js';
import { clockTime, relativeTime, repeatsTitle, urgentLabel, type TimeOptions } from './i18n.js';

export interface ItemContext {
  relative: boolean;
  now: number;
  time: TimeOptions;
  /** Link target, e.g. "_top" inside the iframe page. */
  target: string | null;
  /** The ticker's title chip (its `label`): an item label with the same word is left out. */
  title?: string | null;
}

const shown = new WeakMap<HTMLLIElement, Headline>();

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, part: string, text?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  node.setAttribute('part', part);
  node.className = part;
  if (text !== undefined) node.textContent = text;
  return node;
};

export { isUrgent };

/** Creates or updates `li` in place for `h` (a correction keeps the element, only its text changes). */
export function renderItem(h: Headline, ctx: ItemContext, li: HTMLLIElement = el('li', 'item')): HTMLLIElement {
  if (shown.get(li) !== h) {
    shown.set(li, h);
    li.lang = h.language;
    li.dir = h.direction;
    li.dataset.uri = h.uri;
    li.dataset.urgency = String(h.urgency);
    const href = h.link && isHttpUrl(h.link) ? h.link : '';
    const text = li.querySelector<HTMLElement>('bdi');
    const link = li.querySelector('a');
    const label = li.querySelector('.label');
    const word = urgentLabel(h.language, h.urgency);
    const labelled = isUrgent(h) && !repeatsTitle(word, ctx.title);
    if (text && !!link === !!href && !!label === labelled) {
      // A correction: change the text in place (a focused link keeps its focus).
      text.textContent = stripBidiControls(h.headline);
      if (label) label.textContent = word;
      if (link) link.href = href;
    } else {
      const bdi = el('bdi', 'headline', stripBidiControls(h.headline));
      bdi.dir = 'auto';
      const children: Node[] = [];
      if (labelled) children.push(el('span', 'label', word));
      if (href) {
        const a = el('a', 'link');
        a.href = href;
        if (ctx.target) a.target = ctx.target;
        if (ctx.target === '_blank') a.rel = 'noopener';
        a.append(bdi);
        children.push(a);
      } else children.push(bdi);
      const time = el('time', 'time');
      children.push(time);
      li.replaceChildren(...children);
    }
    (li.lastElementChild as HTMLTimeElement).dateTime = h.firstCreated;
  }
  const time = li.lastElementChild as HTMLTimeElement;
  time.textContent = ctx.relative ? relativeTime(h.firstCreated, ctx.now, h.language, ctx.time) : clockTime(h.firstCreated, h.language, ctx.time);
  return li;
}
