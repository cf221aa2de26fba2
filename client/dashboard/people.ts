/**
 * People and keys (admins only): the list, a form to add a person, a new key or a revocation per
 * person. A key is shown once, in the notice above the list, and never stored by the dashboard.
 */
import type { Person, Role } from '../../shared/roles.js';
import type { Api } from './api.js';
import { byId, el, showError } from './dom.js';
import { errorMessage, formatTime, onLanguageChange, t } from './i18n.js';

export class PeoplePanel {
  private people: Person[] = [];
  private readonly list = byId('people-list');
  private readonly error = byId('people-error');
  private readonly status = byId('people-status');

  constructor(private readonly api: Api) {
    byId('people').hidden = false;
    byId<HTMLFormElement>('people-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.create();
    });
    // A validation message stops being true once the field changes.
    for (const id of ['people-name', 'people-channels', 'people-role']) byId(id).addEventListener('input', () => showError(this.error, undefined));
    this.list.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
      const id = button?.closest<HTMLElement>('[data-person]')?.dataset.person;
      const person = this.people.find((p) => p.id === id);
      if (button && person) void this.act(button.dataset.action === 'revoke' ? 'revoke' : 'rotate', person);
    });
    onLanguageChange(() => this.render());
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.people = await this.api.people();
      this.render();
    } catch (err) {
      showError(this.error, errorMessage(err));
    }
  }

  private async create(): Promise<void> {
    const name = byId<HTMLInputElement>('people-name').value.trim();
    const role = byId<HTMLSelectElement>('people-role').value as Role;
    const channels = byId<HTMLInputElement>('people-channels').value.split(/[,\s]+/).map((c) => c.trim()).filter(Boolean);
    showError(this.error, undefined);
    if (!name) return showError(this.error, t('people.needName'));
    if (role !== 'admin' && channels.length === 0) return showError(this.error, t('people.needChannels'));
    try {
      const issued = await this.api.createPerson({ name, role, channels });
      byId<HTMLInputElement>('people-name').value = '';
      byId<HTMLInputElement>('people-channels').value = '';
      this.showKey(t('people.created', { name: issued.person.name }), issued.key);
      await this.load();
    } catch (err) {
      showError(this.error, errorMessage(err));
    }
  }

  private async act(action: 'rotate' | 'revoke', person: Person): Promise<void> {
    showError(this.error, undefined);
    try {
      if (action === 'rotate') {
        const issued = await this.api.rotateKey(person.id);
        this.showKey(t('people.rotated', { name: person.name }), issued.key);
      } else {
        await this.api.revokeKey(person.id);
        this.hideKey();
        this.status.textContent = t('people.revokedDone', { name: person.name });
      }
      await this.load();
    } catch (err) {
      showError(this.error, errorMessage(err));
    }
  }

  private showKey(text: string, key: string): void {
    this.status.textContent = '';
    byId('people-issued-text').textContent = text;
    byId('people-issued-key').textContent = key;
    byId('people-issued').hidden = false;
  }

  private hideKey(): void {
    byId('people-issued-key').textContent = '';
    byId('people-issued').hidden = true;
  }

  private render(): void {
    byId('people-empty').hidden = this.people.length > 0;
    this.list.replaceChildren(...this.people.map((p) => el('tr', { attrs: { 'data-person': p.id, 'data-name': p.name, 'data-role': p.role } },
      el('td', { class: 'actor', text: p.name, attrs: { dir: 'auto' } }),
      el('td', { text: t(`role.${p.role}`) }),
      el('td', { text: p.role === 'admin' ? t('people.allChannels') : p.channels.join(', '), attrs: { dir: 'ltr' } }),
      el('td', { text: p.revokedAt ? `${t('people.revoked')} (${formatTime(p.revokedAt)})` : t('people.active'), attrs: { 'data-state': p.revokedAt ? 'revoked' : 'active' } }),
      el('td', {},
        el('button', { text: t('people.rotate'), attrs: { type: 'button', 'data-action': 'rotate', 'aria-label': `${t('people.rotate')}: ${p.name}` } }),
        ...(p.revokedAt ? [] : [el('button', { text: t('people.revoke'), attrs: { type: 'button', 'data-action': 'revoke', class: 'danger', 'aria-label': `${t('people.revoke')}: ${p.name}` } })])))));
  }
}
