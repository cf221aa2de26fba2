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

  private readonly _base = make('div', 'base');
  private readonly _heading = make('span', 'title');
  private readonly _viewport = make('div', 'viewport');
  private readonly _track = make('div', 'track');
  private readonly _group = make('ul', 'group', 'list');
  private readonly _statusText = make('span', 'status');
  private readonly _controls = make('div', 'controls');
  private readonly _pauseButton = make('button', 'pause');
  private readonly _moreButton = make('button', 'more');
  private readonly _prevButton = make('button', 'prev');
  private readonly _nextButton = make('button', 'next');
  private readonly _announcer = make('div', 'sr', 'announcer');
  private readonly _marquee = new Marquee(this._viewport, this._track);
  private readonly _reduced = matchMedia('(prefers-reduced-motion: reduce)');

  private _client: TickerClient | undefined;
  private _releases: (() => void)[] = [];
  /** The light DOM's server-rendered fragments, read once (at the first connect). */
  private _seeds: Map<string, SavedChannel> | undefined;
  private readonly _items = new Map<string, HTMLLIElement>();
  private _headlines: Headline[] = [];
  private readonly _hold = new Hold();
  private _previewed: Headline[] = [];
  /** The strip's order in scroll mode (new headlines join where they enter next). */
  private _order: string[] = [];
  private _seen = new Set<string>();
  private readonly _primed = new Set<string>();
  private _index = 0;
  private _userPaused = false;
  private _hovered = false;
  private _focused = false;
  private _onScreen = true;
  private _stale = false;
  private _timers: { rotate?: number; stale?: number; clock?: number } = {};
  private _observers: { io?: IntersectionObserver; ro?: ResizeObserver } = {};

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    this._pauseButton.type = this._moreButton.type = this._prevButton.type = this._nextButton.type = 'button';
    this._pauseButton.setAttribute('aria-pressed', 'false');
    this._prevButton.textContent = '‹';
    this._nextButton.textContent = '›';
    this._announcer.setAttribute('role', 'status');
    this._announcer.setAttribute('aria-live', 'polite');
    this._base.setAttribute('role', 'region');
    this._track.append(this._group);
    this._viewport.append(this._track);
    this._controls.append(this._pauseButton, this._moreButton, this._prevButton, this._nextButton);
    this._base.append(this._heading, this._viewport, this._statusText, this._controls, this._announcer);
    root.append(this._base);
    this._pauseButton.addEventListener('click', () => this._setPaused(!this._userPaused));
    this._moreButton.addEventListener('click', () => {
      this._refresh(true);
      this._pauseButton.focus();
    });
    // Stepping under reduced motion is reading: it holds updates like the pause button.
    const stepper = (delta: number) => () => {
      if (this._reduced.matches) this._setPaused(true);
      this._step(delta);
    };
    this._prevButton.addEventListener('click', stepper(-1));
    this._nextButton.addEventListener('click', stepper(1));
    this._base.addEventListener('pointerenter', () => this._hover(true));
    this._base.addEventListener('pointerleave', () => this._hover(false));
    this._base.addEventListener('focusin', () => this._setFocused(true));
    this._base.addEventListener('focusout', (e) => this._setFocused(this._base.contains(e.relatedTarget as Node | null)));
  }

  get mode(): TickerMode {
    const m = this.getAttribute('mode');
    return m === 'rotate' || m === 'list' ? m : 'scroll';
  }

  /** What a `preview` ticker shows (e.g. a draft in the newsroom dashboard); nothing is announced. */
  get previewHeadlines(): Headline[] {
    return this._previewed;
  }

  set previewHeadlines(headlines: Headline[]) {
    this._previewed = headlines;
    if (this.isConnected) this._refresh();
  }

  /** Whether the reader paused the ticker (its button, or stepping under reduced motion): it then holds updates. */
  get paused(): boolean {
    return this._userPaused;
  }

  connectedCallback(): void {
    this._start();
    this._observers.io = new IntersectionObserver((entries) => {
      this._onScreen = entries.some((e) => e.isIntersecting);
      this._motion();
    });
    this._observers.io.observe(this);
    this._observers.ro = new ResizeObserver(() => this._render(true));
    this._observers.ro.observe(this._viewport);
    document.addEventListener('visibilitychange', this._motion);
    this._reduced.addEventListener('change', this._rerender);
  }

  disconnectedCallback(): void {
    for (const release of this._releases) release();
    this._releases = [];
    for (const t of Object.values(this._timers)) clearTimeout(t);
    this._timers = {};
    this._observers.io?.disconnect();
    this._observers.ro?.disconnect();
    document.removeEventListener('visibilitychange', this._motion);
    this._reduced.removeEventListener('change', this._rerender);
    this._marquee.stop();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this._start();
  }

  private get _ui(): UiStrings {
    return uiStrings(this.closest('[lang]')?.getAttribute('lang') || 'en');
  }

  private _num(name: string, fallback: number): number {
    const n = Number(this.getAttribute(name));
    return n > 0 ? n : fallback;
  }

  private _channels(): string[] {
    return [...new Set((this.getAttribute('channels') ?? '').toLowerCase().split(/[\s,]+/).filter(Boolean))];
  }

  /** (Re)follows the channels; new follows come before old releases so a shared socket stays up. */
  private _start(): void {
    const old = this._releases;
    this._releases = [];
    const client = this.hasAttribute('preview') ? undefined : sharedClient(this.getAttribute('server') || NewsTicker.defaultServer || location.origin);
    this._client = client;
    const mine = new Set(this._channels());
    if (client) {
      // A server-rendered fragment inside the element: shown at once, resumed from (adopt.ts).
      const seeds = (this._seeds ??= readFragments(this));
      for (const channel of mine) this._releases.push(client.follow(channel, this._num('max', 30), seeds.get(channel)));
      this._releases.push(
        client.on('change', (channel) => void (mine.has(channel) && this._refresh())),
        client.on('status', () => this._status()),
      );
    }
    for (const release of old) release();
    const ui = this._ui;
    this._heading.textContent = this.getAttribute('label') ?? '';
    this._base.setAttribute('aria-label', this.getAttribute('label') || ui.region);
    this._pauseButton.setAttribute('aria-label', ui.pause);
    this._prevButton.setAttribute('aria-label', ui.previous);
    this._nextButton.setAttribute('aria-label', ui.next);
    this._refresh();
    this._status();
  }

  /**
   * Merges the channels' live sets (a preview takes its own headlines) in the fair order; announces
   * headlines that are new since the channel was primed (a preview announces nothing). While
   * paused it holds what is shown (see Hold) and announces only the removal of a headline in
   * view; `flush` shows what waits.
   */
  private _refresh(flush = false): void {
    const client = this._client;
    const all = client ? this._channels().flatMap((c) => client.headlines(c)) : [...this._previewed];
    const held = this._userPaused && !flush && !!client; // a preview shows the draft as it is typed
    const gone = this._hold.update(fairOrder(all, this._num('max', 30), Date.now()), new Set(all.map((h) => h.uri)), held);
    this._headlines = this._hold.shown;
    const fresh = client ? all.filter((h) => !this._seen.has(h.uri) && this._primed.has(h.channel)) : [];
    this._seen = new Set(all.map((h) => h.uri)); // only what is live: memory stays bounded
    // A channel is primed once its first state (snapshot or saved) is in: later arrivals are news.
    for (const c of this._channels()) if (client?.ready(c)) this._primed.add(c);
    const removed = this._ui.removed;
    const say = held ? gone.filter((h) => this._inView(h.uri)).map((h) => `${removed}: ${h.headline}`)
      : fresh.map((h) => (isUrgent(h) ? `${urgentLabel(h.language, h.urgency)}: ${h.headline}` : h.headline));
    const first = (held ? gone : fresh)[0];
    if (say.length && first) {
      this._announcer.lang = first.language;
      this._announcer.textContent = say.join(' — ');
    }
    this._render(false);
    this._counter();
    this._status();
  }

  /** Whether a headline (or one of its loop copies) is on screen inside the viewport. */
  private _inView(uri: string): boolean {
    const view = this._viewport.getBoundingClientRect();
    return [...this._track.querySelectorAll<HTMLElement>(`li[data-uri="${CSS.escape(uri)}"]`)].some((li) => {
      const r = li.getBoundingClientRect();
      return !li.hidden && r.width > 0 && r.right > view.left && r.left < view.right && r.bottom > 0 && r.top < innerHeight;
    });
  }

  /** The "N new" control: shown while headlines wait behind a pause. */
  private _counter(): void {
    const n = String(this._hold.waiting);
    const ui = this._ui;
    this._moreButton.hidden = !this._hold.waiting;
    this._moreButton.textContent = ui.more.replace('{n}', n);
    this._moreButton.setAttribute('aria-label', ui.moreLabel.replace('{n}', n));
  }

  private _context(): ItemContext {
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

  private readonly _rerender = (): void => this._render(true);

  private _render(relayoutOnly: boolean): void {
    const mode = this.mode;
    const reduced = this._reduced.matches;
    const oneAtATime = mode === 'rotate' || (mode === 'scroll' && reduced);
    const rtl = getComputedStyle(this).direction === 'rtl';
    const scrolling = mode === 'scroll' && !reduced;
    const anchor = this._marquee.anchor(rtl);
    if (!relayoutOnly) {
      const ctx = this._context();
      const byUri = new Map(this._headlines.map((h) => [h.uri, h]));
      let order = this._headlines.map((h) => h.uri);
      if (scrolling) {
        // Known headlines keep their place; new ones go where the strip enters next.
        const known = this._order.filter((u) => byUri.has(u));
        const fresh = order.filter((u) => !this._order.includes(u));
        const entry = this._marquee.entryIndex(rtl);
        const next = entry === undefined ? -1 : this._order.slice(entry).findIndex((u) => byUri.has(u));
        const at = entry === undefined || !known.length ? 0 : next < 0 ? known.length : known.indexOf(this._order[entry + next]!);
        order = [...known.slice(0, at), ...fresh, ...known.slice(at)];
      }
      this._order = order;
      for (const uri of this._items.keys()) if (!byUri.has(uri)) this._items.delete(uri);
      reconcile(this._group, order.map((uri) => {
        const li = renderItem(byUri.get(uri)!, ctx, this._items.get(uri));
        this._items.set(uri, li);
        return li;
      }));
    }
    this._base.className = `base ${mode}${oneAtATime ? ' one' : ''}`;
    this._index = Math.min(this._index, Math.max(0, this._headlines.length - 1));
    this._order.forEach((uri, i) => void (this._items.get(uri)!.hidden = oneAtATime && i !== this._index));
    this._prevButton.hidden = this._nextButton.hidden = !oneAtATime;
    if (scrolling && this.isConnected) this._marquee.layout(this._group, rtl, this._num('speed', 60), anchor);
    else {
      this._marquee.stop();
      keepOnly(this._track, this._group);
    }
    if (mode === 'list') this._timers.clock ??= window.setInterval(() => this._userPaused || this._render(false), 30_000);
    else this._timers.clock = void clearInterval(this._timers.clock);
    this._motion();
  }

  private _step(delta: number): void {
    const n = this._headlines.length;
    if (!n) return;
    this._index = (this._index + delta + n) % n;
    this._render(true);
    const li = this._items.get(this._order[this._index]!);
    if (li && !this._reduced.matches) li.animate([{ transform: 'translateY(40%)' }, { transform: 'none' }], { duration: 250, easing: 'ease-out' });
  }

  private _setPaused(paused: boolean): void {
    this._userPaused = paused;
    this._pauseButton.setAttribute('aria-pressed', String(paused));
    this._pauseButton.setAttribute('aria-label', this._ui.pause);
    if (paused) this._counter();
    else this._refresh();
    this._motion();
  }

  private _hover(on: boolean): void {
    this._hovered = on;
    this._motion();
  }

  private _setFocused(on: boolean): void {
    this._focused = on;
    this._motion();
  }

  /** Runs motion only when nobody paused it, it is on screen, the tab is visible and motion is wanted. */
  private readonly _motion = (): void => {
    const running = !this._userPaused && !this._hovered && !this._focused && this._onScreen && !document.hidden && !this._reduced.matches;
    this._marquee.setRunning(running);
    const rotating = running && this.mode === 'rotate' && this._headlines.length > 1 && this.isConnected;
    if (rotating && this._timers.rotate === undefined) {
      this._timers.rotate = window.setInterval(() => this._step(1), this._num('interval', 5000));
    } else if (!rotating && this._timers.rotate !== undefined) {
      clearInterval(this._timers.rotate);
      this._timers.rotate = undefined;
    }
  };

  private _status(): void {
    const status: ConnectionStatus = this._client ? this._client.status : 'live';
    const has = this._headlines.length > 0;
    const state: TickerState = status === 'reconnecting' ? 'reconnecting' : status === 'live' ? (has ? 'live' : 'empty') : 'connecting';
    if (state === 'reconnecting') {
      this._timers.stale ??= window.setTimeout(() => {
        this._stale = true;
        this._status();
      }, this._num('stale-after', 10_000));
    } else {
      clearTimeout(this._timers.stale);
      this._timers.stale = undefined;
      this._stale = false;
    }
    const ui = this._ui;
    const text = state === 'empty' ? ui.empty : state === 'connecting' && !has ? ui.connecting : this._stale ? ui.reconnecting : '';
    this._statusText.textContent = text;
    this._statusText.hidden = !text;
    const changed = this.getAttribute('state') !== state || this.hasAttribute('stale') !== this._stale;
    this.toggleAttribute('stale', this._stale);
    this.setAttribute('state', state);
    if (changed) this.dispatchEvent(new CustomEvent<TickerStateDetail>('news-ticker-state', { detail: { state, stale: this._stale } }));
  }
}
