/**
 * Webhooks (admins only): each registered webhook (channel, event types, URL; never the secret)
 * with its delivery log, newest first, and a refresh button. Read-only: webhooks are registered
 * through the API (README, "From your CMS").
 */
import type { Api, DeliveryAttempt, WebhookInfo } from './api.js';
import { byId, el, showError } from './dom.js';
import { EVENT_TYPES } from '../../shared/events.js';
import { errorMessage, formatList, formatNumber, formatTime, onLanguageChange, t, type MessageKey } from './i18n.js';

/** An event type in words (the raw type if the server sends one the dashboard does not know). */
const eventName = (type: string): string => ((EVENT_TYPES as readonly string[]).includes(type) ? t(`event.${type}` as MessageKey) : type);

type DeliveryState = 'delivered' | 'pending' | 'failed';

interface Loaded {
  hook: WebhookInfo;
  deliveries: DeliveryAttempt[];
}

export class WebhooksPanel {
  private loaded: Loaded[] = [];
  private loadedAt: string | undefined;
  private readonly list = byId('webhooks-list');
  private readonly error = byId('webhooks-error');
  private readonly status = byId('webhooks-status');
  private readonly refresh = byId<HTMLButtonElement>('webhooks-refresh');

  constructor(private readonly api: Api) {
    byId('webhooks').hidden = false;
    this.refresh.addEventListener('click', () => void this.load());
    onLanguageChange(() => this.render());
    void this.load();
  }

  private async load(): Promise<void> {
    if (this.refresh.getAttribute('aria-disabled') === 'true') return;
    this.refresh.setAttribute('aria-disabled', 'true');
    showError(this.error, undefined);
    try {
      const hooks = await this.api.webhooks();
      this.loaded = await Promise.all(hooks.map(async (hook) => ({ hook, deliveries: await this.api.webhookDeliveries(hook.id) })));
      this.loadedAt = new Date().toISOString();
      this.render();
    } catch (err) {
      showError(this.error, errorMessage(err));
    } finally {
      this.refresh.removeAttribute('aria-disabled');
    }
  }

  private render(): void {
    byId('webhooks-empty').hidden = this.loaded.length > 0;
    this.status.textContent = this.loadedAt ? t('webhooks.updated', { time: formatTime(this.loadedAt) }) : '';
    this.list.replaceChildren(...this.loaded.map(({ hook, deliveries }) => el('li', { attrs: { 'data-webhook': hook.id } },
      el('h3', { text: hook.channel, attrs: { dir: 'ltr' } }),
      el('p', { text: t('webhooks.events', { events: formatList(hook.events.map(eventName)) }) }),
      el('p', { class: 'url', text: hook.url, attrs: { dir: 'ltr' } }),
      ...(deliveries.length === 0
        ? [el('p', { class: 'hint', text: t('webhooks.noDeliveries') })]
        : [this.log(hook, deliveries)]))));
  }

  /** The delivery log: one row per attempt, newest first, as the server keeps it. */
  private log(hook: WebhookInfo, deliveries: DeliveryAttempt[]): HTMLTableElement {
    const seen = new Set<string>();
    const head = (['webhooks.time', 'webhooks.event', 'webhooks.delivery', 'webhooks.attempt', 'webhooks.result', 'webhooks.state'] as const)
      .map((key) => el('th', { text: t(key), attrs: { scope: 'col' } }));
    return el('table', { class: 'people-list webhook-log', attrs: { 'aria-label': t('webhooks.log', { channel: hook.channel }) } },
      el('thead', {}, el('tr', {}, ...head)),
      el('tbody', {}, ...deliveries.map((d) => {
        // The first row of a delivery id is its latest attempt: only that one can still be pending.
        const latest = !seen.has(d.deliveryId);
        seen.add(d.deliveryId);
        const state: DeliveryState = d.ok ? 'delivered' : latest && d.nextAttemptAt ? 'pending' : 'failed';
        const stateText = state === 'pending' ? t('webhooks.pending', { time: formatTime(d.nextAttemptAt!) }) : t(`webhooks.${state}`);
        return el('tr', { attrs: { 'data-delivery': d.deliveryId, 'data-attempt': String(d.attempt), 'data-status': String(d.status), 'data-state': d.ok ? 'delivered' : 'failed' } },
          el('td', { text: formatTime(d.at) }),
          el('td', { text: eventName(d.eventType) }),
          el('td', { text: d.deliveryId, attrs: { dir: 'ltr' } }),
          el('td', { text: formatNumber(d.attempt) }),
          // The HTTP status when the endpoint answered, else the error (timeout, refused: status 0).
          el('td', { text: d.status ? t('webhooks.http', { status: String(d.status) }) : d.error ?? '', attrs: { dir: 'auto' } }),
          el('td', { text: stateText, attrs: { 'data-state': state } }));
      })));
  }
}
