/**
 * The scroll mode's motion: a track holding the headline group and enough aria-hidden copies to
 * loop seamlessly, moved by one Web Animation of `transform` only (no layout per frame) at a
 * constant speed in px/s. Leftward in a left-to-right ticker, rightward in a right-to-left one.
 * A re-layout keeps the item the reader is looking at where it was, so nothing jumps.
 */
export interface Anchor {
  group: number;
  uri: string;
  x: number;
}

/**
 * Makes `child` the only child of `parent` without detaching it when it is already there (moving
 * a node would drop the keyboard focus inside it).
 */
export function keepOnly(parent: Element, child: Element): void {
  if (parent.firstElementChild !== child) parent.prepend(child);
  while (child.nextSibling) child.nextSibling.remove();
}

/** Puts `nodes` in `parent` in order, moving only nodes that are out of place. */
export function reconcile(parent: Element, nodes: Element[]): void {
  let at = parent.firstElementChild;
  for (const node of nodes) {
    if (node === at) at = at.nextElementSibling;
    else parent.insertBefore(node, at);
  }
  while (at) {
    const next = at.nextElementSibling;
    at.remove();
    at = next;
  }
}

export class Marquee {
  private _animation: Animation | undefined;
  private _running = true;

  constructor(private readonly _viewport: HTMLElement, private readonly _track: HTMLElement) {}

  /** Lays the strip out again; `anchor` (taken before the group changed) stays where it was. */
  layout(group: HTMLUListElement, rtl: boolean, speed: number, anchor: Anchor | undefined): void {
    this.stop();
    keepOnly(this._track, group);
    const width = group.getBoundingClientRect().width;
    if (width < 1 || !group.children.length) return;
    const copies = Math.max(1, Math.ceil(this._viewport.clientWidth / width));
    for (let i = 0; i < copies; i++) {
      const copy = group.cloneNode(true) as HTMLUListElement;
      copy.setAttribute('aria-hidden', 'true');
      copy.dataset.copy = String(i + 1);
      for (const a of copy.querySelectorAll('a')) a.tabIndex = -1;
      this._track.append(copy);
    }
    const sign = rtl ? 1 : -1;
    const duration = (width / speed) * 1000;
    const animation = this._track.animate([{ transform: 'translateX(0)' }, { transform: `translateX(${sign * width}px)` }], { duration, iterations: Infinity });
    this._animation = animation;
    const same = anchor && this._track.children[anchor.group]?.querySelector<HTMLElement>(`[data-uri="${CSS.escape(anchor.uri)}"]`);
    if (anchor && same) {
      const r = same.getBoundingClientRect();
      const t = ((anchor.x - (rtl ? r.right : r.left)) / (sign * speed)) * 1000;
      animation.currentTime = ((t % duration) + duration) % duration;
    }
    if (!this._running) animation.pause();
  }

  setRunning(running: boolean): void {
    this._running = running;
    if (!this._animation) return;
    if (running) this._animation.play();
    else this._animation.pause();
  }

  stop(): void {
    this._animation?.cancel();
    this._animation = undefined;
  }

  /**
   * The group index of the next item to enter the viewport, so a new headline can be placed
   * there: it comes into view next, and nothing already in view moves.
   */
  entryIndex(rtl: boolean): number | undefined {
    if (!this._animation) return undefined;
    const view = this._viewport.getBoundingClientRect();
    for (const group of this._track.children) {
      const lis = [...group.children];
      const i = lis.findIndex((li) => {
        const r = li.getBoundingClientRect();
        return rtl ? r.right <= view.left : r.left >= view.right;
      });
      if (i >= 0) return i;
    }
    return undefined;
  }

  /**
   * The first item in view: which group it is in, its uri and the x of its start edge now (the
   * right one in a right-to-left ticker, so an item that grows or shrinks keeps its start put).
   */
  anchor(rtl: boolean): Anchor | undefined {
    if (!this._animation) return undefined;
    const view = this._viewport.getBoundingClientRect();
    const groups = [...this._track.children];
    for (let g = 0; g < groups.length; g++) {
      for (const li of groups[g]!.children) {
        const r = li.getBoundingClientRect();
        if (r.right > view.left && r.left < view.right) return { group: g, uri: (li as HTMLElement).dataset.uri ?? '', x: rtl ? r.right : r.left };
      }
    }
    return undefined;
  }
}
