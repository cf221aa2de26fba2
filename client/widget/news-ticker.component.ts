/**
 * <news-ticker channels="ar-breaking" mode="scroll|rotate|list">: live headlines of one or more
 * channels, in Shadow DOM, over the page's shared TickerClient. Accessible (named pause button,
 * hover/focus pause, reduced motion, silent loop copies, one polite live region), right-to-left
 * aware, and quiet when off-screen or in a hidden tab. With the `preview` attribute it shows
 * `previewHeadlines` instead, through the same rendering, and never connects (no reader counted).
 */
import type { Headline } from '../../shared/headline.js';
import { sharedClient, type ConnectionStatus, type TickerClient } from '../sdk/index.js';
import type { SavedChannel } from '../sdk/channel-state.js';
import { readFragments } from './adopt.js';
import { uiStrings, urgentLabel, type UiStrings } from './i18n.js';
import { fairOrder } from '../../shared/order.js';
import { Hold } from './hold.js';
import { isUrgent, renderItem, type ItemContext } from './items.js';
import { keepOnly, Marquee, reconcile } from './marquee.js';
import { adoptStyles } from './news-ticker.styles.js';

export type TickerMode = 'scroll' | 'rotate' | 'list';
export type TickerState = 'connecting' | 'live' | 'reconnecting' | 'empty';
export interface TickerStateDetail {
  state: TickerState;
  stale: boolean;
}

const make = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, part = cls): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  node.className = cls;
  if (part) node.setAttribute('part', part);
  return node;
};

export class NewsTicker extends HTMLElement {
  /** The server when no `server` attribute is set: the origin of the script that defined the element (embed.js). */
  static defaultServer: string | undefined;
  static readonly observedAttributes = ['channels', 'server', 'mode', 'speed', 'interval', 'max', 'time-zone', 'numbering', 'label', 'stale-after', 'lang', 'dir', 'target', 'preview'];

  private readonly base = make('div', 'base');
  private readonly heading = make('span', 'title');
  private readonly viewport = make('div', 'viewport');
  private readonly track = make('div', 'track');
  private readonly group = make('ul', 'group', 'list');
  private readonly statusText = make('span', 'status');
  private readonly controls = make('div', 'controls');
  private readonly pauseButton = make('button', 'pause');
  private readonly moreButton = make('button', 'more');
  private readonly prevButton = make('button', 'prev');
  private readonly nextButton = make('button', 'next');
  private readonly announcer = make('div', 'sr', 'announcer');
  private readonly marquee = new Marquee(this.viewport, this.track);
  private readonly reduced = matchMedia('(prefers-reduced-motion: reduce)');

  private client: TickerClient | undefined;
  private releases: (() => void)[] = [];
  /** The light DOM's server-rendered fragments, read once (at the first connect). */
  private _seeds: Map<string, SavedChannel> | undefined;
  private readonly items = new Map<string, HTMLLIElement>();
  private headlines: Headline[] = [];
  private readonly hold = new Hold();
  private previewed: Headline[] = [];
  /** The strip's order in scroll mode (new headlines join where they enter next). */
  private order: string[] = [];
  private seen = new Set<string>();
  private readonly primed = new Set<string>();
  private index = 0;
  private userPaused = false;
  private hovered = false;
  private focused = false;
  private onScreen = true;
  private stale = false;
  private timers: { rotate?: number; stale?: number; clock?: number } = {};
  private observers: { io?: IntersectionObserver; ro?: ResizeObserver } = {};

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    this.pauseButton.type = this.moreButton.type = this.prevButton.type = this.nextButton.type = 'button';
    this.pauseButton.setAttribute('aria-pressed', 'false');
    this.prevButton.textContent = '‹';
    this.nextButton.textContent = '›';
    this.announcer.setAttribute('role', 'status');
    this.announcer.setAttribute('aria-live', 'polite');
    this.base.setAttribute('role', 'region');
    this.track.append(this.group);
    this.viewport.append(this.track);
    this.controls.append(this.pauseButton, this.moreButton, this.prevButton, this.nextButton);
    this.base.append(this.heading, this.viewport, this.statusText, this.controls, this.announcer);
    root.append(this.base);
    this.pauseButton.addEventListener('click', () => this.setPaused(!this.userPaused));
    this.moreButton.addEventListener('click', () => {
      this.refresh(true);
      this.pauseButton.focus();
    });
    // Stepping under reduced motion is reading: it holds updates like the pause button.
    const stepper = (delta: number) => () => {
      if (this.reduced.matches) this.setPaused(true);
      this.step(delta);
    };
    this.prevButton.addEventListener('click', stepper(-1));
    this.nextButton.addEventListener('click', stepper(1));
    this.base.addEventListener('pointerenter', () => this.hover(true));
    this.base.addEventListener('pointerleave', () => this.hover(false));
    this.base.addEventListener('focusin', () => this.setFocused(true));
    this.base.addEventListener('focusout', (e) => this.setFocused(this.base.contains(e.relatedTarget as Node | null)));
  }

  get mode(): TickerMode {
    const m = this.getAttribute('mode');
    return m === 'rotate' || m === 'list' ? m : 'scroll';
  }

  /** What a `preview` ticker shows (e.g. a draft in the newsroom dashboard); nothing is announced. */
  get previewHeadlines(): Headline[] {
    return this.previewed;
  }

  set previewHeadlines(headlines: Headline[]) {
    this.previewed = headlines;
    if (this.isConnected) this.refresh();
  }

  /** Whether the reader paused the ticker (its button, or stepping under reduced motion): it then holds updates. */
  get paused(): boolean {
    return this.userPaused;
  }

  connectedCallback(): void {
    this.start();
    this.observers.io = new IntersectionObserver((entries) => {
      this.onScreen = entries.some((e) => e.isIntersecting);
      this.motion();
    });
    this.observers.io.observe(this);
    this.observers.ro = new ResizeObserver(() => this.render(true));
    this.observers.ro.observe(this.viewport);
    document.addEventListener('visibilitychange', this.motion);
    this.reduced.addEventListener('change', this.rerender);
  }

  disconnectedCallback(): void {
    for (const release of this.releases) release();
    this.releases = [];
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.timers = {};
    this.observers.io?.disconnect();
    this.observers.ro?.disconnect();
    document.removeEventListener('visibilitychange', this.motion);
    this.reduced.removeEventListener('change', this.rerender);
    this.marquee.stop();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.start();
  }

  private get ui(): UiStrings {
    return uiStrings(this.closest('[lang]')?.getAttribute('lang') || 'en');
  }

  private num(name: string, fallback: number): number {
    const n = Number(this.getAttribute(name));
    return n > 0 ? n : fallback;
  }

  private channels(): string[] {
    return [...new Set((this.getAttribute('channels') ?? '').toLowerCase().split(/[\s,]+/).filter(Boolean))];
  }

  /** (Re)follows the channels; new follows come before old releases so a shared socket stays up. */
  private start(): void {
    const old = this.releases;
    this.releases = [];
    const client = this.hasAttribute('preview') ? undefined : sharedClient(this.getAttribute('server') || NewsTicker.defaultServer || location.origin);
    this.client = client;
    const mine = new Set(this.channels());
    if (client) {
      // A server-rendered fragment inside the element: shown at once, resumed from (adopt.ts).
      const seeds = (this._seeds ??= readFragments(this));
      for (const channel of mine) this.releases.push(client.follow(channel, this.num('max', 30), seeds.get(channel)));
      this.releases.push(
        client.on('change', (channel) => void (mine.has(channel) && this.refresh())),
        client.on('status', () => this.status()),
      );
    }
    for (const release of old) release();
    const ui = this.ui;
    this.heading.textContent = this.getAttribute('label') ?? '';
    this.base.setAttribute('aria-label', this.getAttribute('label') || ui.region);
    this.pauseButton.setAttribute('aria-label', ui.pause);
    this.prevButton.setAttribute('aria-label', ui.previous);
    this.nextButton.setAttribute('aria-label', ui.next);
    this.refresh();
    this.status();
  }

  /**
   * Merges the channels' live sets (a preview takes its own headlines) in the fair order; announces
   * headlines that are new since the channel was primed (a preview announces nothing). While
   * paused it holds what is shown (see Hold) and announces only the removal of a headline in
   * view; `flush` shows what waits.
   */
  private refresh(flush = false): void {
    const client = this.client;
    const all = client ? this.channels().flatMap((c) => client.headlines(c)) : [...this.previewed];
    const held = this.userPaused && !flush && !!client; // a preview shows the draft as it is typed
    const gone = this.hold.update(fairOrder(all, this.num('max', 30), Date.now()), new Set(all.map((h) => h.uri)), held);
    this.headlines = this.hold.shown;
    const fresh = client ? all.filter((h) => !this.seen.has(h.uri) && this.primed.has(h.channel)) : [];
    this.seen = new Set(all.map((h) => h.uri)); // only what is live: memory stays bounded
    // A channel is primed once its first state (snapshot or saved) is in: later arrivals are news.
    for (const c of this.channels()) if (client?.ready(c)) this.primed.add(c);
    const removed = this.ui.removed;
    const say = held ? gone.filter((h) => this.inView(h.uri)).map((h) => `${removed}: ${h.headline}`)
      : fresh.map((h) => (isUrgent(h) ? `${urgentLabel(h.language, h.urgency)}: ${h.headline}` : h.headline));
    const first = (held ? gone : fresh)[0];
    if (say.length && first) {
      this.announcer.lang = first.language;
      this.announcer.textContent = say.join(' — ');
    }
    this.render(false);
    this.counter();
    this.status();
  }

  /** Whether a headline (or one of its loop copies) is on screen inside the viewport. */
  private inView(uri: string): boolean {
    const view = this.viewport.getBoundingClientRect();
    return [...this.track.querySelectorAll<HTMLElement>(`li[data-uri="${CSS.escape(uri)}"]`)].some((li) => {
      const r = li.getBoundingClientRect();
      return !li.hidden && r.width > 0 && r.right > view.left && r.left < view.right && r.bottom > 0 && r.top < innerHeight;
    });
  }

  /** The "N new" control: shown while headlines wait behind a pause. */
  private counter(): void {
    const n = String(this.hold.waiting);
    const ui = this.ui;
    this.moreButton.hidden = !this.hold.waiting;
    this.moreButton.textContent = ui.more.replace('{n}', n);
    this.moreButton.setAttribute('aria-label', ui.moreLabel.replace('{n}', n));
  }

  private context(): ItemContext {
    return {
      relative: this.mode === 'list',
      now: Date.now(),
      time: {
        timeZone: this.getAttribute('time-zone') || Intl.DateTimeFormat().resolvedOptions().timeZone,
        numberingSystem: this.getAttribute('numbering') || 'latn',
      },
      target: this.getAttribute('target'),
      title: this.getAttribute('label'),
    };
  }

  private readonly rerender = (): void => this.render(true);

  private render(relayoutOnly: boolean): void {
    const mode = this.mode;
    const reduced = this.reduced.matches;
    const oneAtATime = mode === 'rotate' || (mode === 'scroll' && reduced);
    const rtl = getComputedStyle(this).direction === 'rtl';
    const scrolling = mode === 'scroll' && !reduced;
    const anchor = this.marquee.anchor(rtl);
    if (!relayoutOnly) {
      const ctx = this.context();
      const byUri = new Map(this.headlines.map((h) => [h.uri, h]));
      let order = this.headlines.map((h) => h.uri);
      if (scrolling) {
        // Known headlines keep their place; new ones go where the strip enters next.
        const known = this.order.filter((u) => byUri.has(u));
        const fresh = order.filter((u) => !this.order.includes(u));
        const entry = this.marquee.entryIndex(rtl);
        const next = entry === undefined ? -1 : this.order.slice(entry).findIndex((u) => byUri.has(u));
        const at = entry === undefined || !known.length ? 0 : next < 0 ? known.length : known.indexOf(this.order[entry + next]!);
        order = [...known.slice(0, at), ...fresh, ...known.slice(at)];
      }
      this.order = order;
      for (const uri of this.items.keys()) if (!byUri.has(uri)) this.items.delete(uri);
      reconcile(this.group, order.map((uri) => {
        const li = renderItem(byUri.get(uri)!, ctx, this.items.get(uri));
        this.items.set(uri, li);
        return li;
      }));
    }
    this.base.className = `base ${mode}${oneAtATime ? ' one' : ''}`;
    this.index = Math.min(this.index, Math.max(0, this.headlines.length - 1));
    this.order.forEach((uri, i) => void (this.items.get(uri)!.hidden = oneAtATime && i !== this.index));
    this.prevButton.hidden = this.nextButton.hidden = !oneAtATime;
    if (scrolling && this.isConnected) this.marquee.layout(this.group, rtl, this.num('speed', 60), anchor);
    else {
      this.marquee.stop();
      keepOnly(this.track, this.group);
    }
    if (mode === 'list') this.timers.clock ??= window.setInterval(() => this.userPaused || this.render(false), 30_000);
    else this.timers.clock = void clearInterval(this.timers.clock);
    this.motion();
  }

  private step(delta: number): void {
    const n = this.headlines.length;
    if (!n) return;
    this.index = (this.index + delta + n) % n;
    this.render(true);
    const li = this.items.get(this.order[this.index]!);
    if (li && !this.reduced.matches) li.animate([{ transform: 'translateY(40%)' }, { transform: 'none' }], { duration: 250, easing: 'ease-out' });
  }

  private setPaused(paused: boolean): void {
    this.userPaused = paused;
    this.pauseButton.setAttribute('aria-pressed', String(paused));
    this.pauseButton.setAttribute('aria-label', this.ui.pause);
    if (paused) this.counter();
    else this.refresh();
    this.motion();
  }

  private hover(on: boolean): void {
    this.hovered = on;
    this.motion();
  }

  private setFocused(on: boolean): void {
    this.focused = on;
    this.motion();
  }

  /** Runs motion only when nobody paused it, it is on screen, the tab is visible and motion is wanted. */
  private readonly motion = (): void => {
    const running = !this.userPaused && !this.hovered && !this.focused && this.onScreen && !document.hidden && !this.reduced.matches;
    this.marquee.setRunning(running);
    const rotating = running && this.mode === 'rotate' && this.headlines.length > 1 && this.isConnected;
    if (rotating && this.timers.rotate === undefined) {
      this.timers.rotate = window.setInterval(() => this.step(1), this.num('interval', 5000));
    } else if (!rotating && this.timers.rotate !== undefined) {
      clearInterval(this.timers.rotate);
      this.timers.rotate = undefined;
    }
  };

  private status(): void {
    const status: ConnectionStatus = this.client ? this.client.status : 'live';
    const has = this.headlines.length > 0;
    const state: TickerState = status === 'reconnecting' ? 'reconnecting' : status === 'live' ? (has ? 'live' : 'empty') : 'connecting';
    if (state === 'reconnecting') {
      this.timers.stale ??= window.setTimeout(() => {
        this.stale = true;
        this.status();
      }, this.num('stale-after', 10_000));
    } else {
      clearTimeout(this.timers.stale);
      this.timers.stale = undefined;
      this.stale = false;
    }
    const ui = this.ui;
    const text = state === 'empty' ? ui.empty : state === 'connecting' && !has ? ui.connecting : this.stale ? ui.reconnecting : '';
    this.statusText.textContent = text;
    this.statusText.hidden = !text;
    const changed = this.getAttribute('state') !== state || this.hasAttribute('stale') !== this.stale;
    this.toggleAttribute('stale', this.stale);
    this.setAttribute('state', state);
    if (changed) this.dispatchEvent(new CustomEvent<TickerStateDetail>('news-ticker-state', { detail: { state, stale: this.stale } }));
  }
}
