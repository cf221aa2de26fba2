/**
 * The newsroom dashboard (served at /dashboard): sign in with a key, then the channels panel,
 * the composer and the live desk, wired together. Bundled to dist/client/dashboard.js.
 */
import { ChannelSet, mountChannelsPanel } from './channels.js';
import { Composer } from './composer.js';
import { deskActionHandler } from './desk-actions.js';
import { DeskStore } from './desk-store.js';
import { DeskView } from './desk.js';
import { byId, showError } from './dom.js';
import { errorMessage, initialLanguage, onLanguageChange, setLanguage, t, uiLanguage } from './i18n.js';
import { ReachStore } from './reach.js';
import { PeoplePanel } from './people.js';
import { WebhooksPanel } from './webhooks.js';
import { roleOf } from '../../shared/roles.js';
import { signIn, signOut, storedKey, type Session } from './session.js';

/** Points the skip link at the first field of what is shown (the key, then the headline). */
function skipTo(id: string, key: 'skip.signin' | 'skip.compose'): void {
  const skip = byId<HTMLAnchorElement>('skip');
  skip.href = `#${id}`;
  skip.dataset.i18n = key;
  skip.textContent = t(key);
}

function startWorkspace(session: Session): void {
  skipTo('f-headline', 'skip.compose');
  byId('signin').hidden = true;
  byId('workspace').hidden = false;
  const who = byId('who');
  who.hidden = false;
  who.dataset.name = session.principal.name;
  const role = roleOf(session.principal);
  const whoRole = byId('who-role');
  whoRole.hidden = false;
  whoRole.dataset.role = role;
  const renderWho = () => {
    who.textContent = t('who', { name: session.principal.name });
    whoRole.textContent = t('who.role', { role: t(`role.${role}`) });
  };
  renderWho();
  if (role === 'admin') {
    new PeoplePanel(session.api);
    new WebhooksPanel(session.api);
  }
  if (role === 'reporter') {
    // A reporter publishes routine and urgent only (shared/roles.ts); the server refuses the rest too.
    for (const input of document.querySelectorAll<HTMLInputElement>('input[name="urgency"][value="flash"], input[name="urgency"][value="bulletin"]')) input.disabled = true;
    byId('f-urgency-role').hidden = false;
  }
  byId('sign-out').hidden = false;

  const reach = new ReachStore();
  const channels = new ChannelSet(session);
  const store = new DeskStore(session.key, reach);
  let composer: Composer | undefined;
  let view: DeskView | undefined;
  const onAction = deskActionHandler(session.api, store, () => composer!, () => view!);
  composer = new Composer(session, channels, (doc) => store.apply(doc));
  view = new DeskView(store, channels, (action, doc) => void onAction(action, doc), (doc) => session.api.versions(doc.uri));
  mountChannelsPanel(session, channels, reach);
  channels.onChange(() => store.follow(channels.all));
  void channels.load(() => session.api.channels()).then(() => store.follow(channels.all));
  onLanguageChange(renderWho);
  byId('f-headline').focus();
}

async function trySignIn(key: string): Promise<void> {
  const error = byId('signin-error');
  const submit = byId<HTMLButtonElement>('signin-submit');
  showError(error, undefined);
  submit.setAttribute('aria-disabled', 'true');
  submit.textContent = t('signin.checking');
  try {
    startWorkspace(await signIn(key));
  } catch (err) {
    signOut();
    showError(error, errorMessage(err));
    byId('signin-key').focus();
  } finally {
    submit.removeAttribute('aria-disabled');
    submit.textContent = t('signin.submit');
  }
}

function boot(): void {
  setLanguage(initialLanguage());
  // Focus the target itself (a fragment alone may only scroll to it).
  byId<HTMLAnchorElement>('skip').addEventListener('click', (e) => {
    const target = document.getElementById(new URL(byId<HTMLAnchorElement>('skip').href).hash.slice(1));
    if (!target) return;
    e.preventDefault();
    target.focus();
  });
  byId('lang-toggle').addEventListener('click', () => {
    setLanguage(uiLanguage() === 'ar' ? 'en' : 'ar');
  });
  byId<HTMLFormElement>('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>('signin-key');
    const key = input.value.trim();
    if (!key) return showError(byId('signin-error'), t('signin.empty'));
    input.value = '';
    void trySignIn(key);
  });
  byId('sign-out').addEventListener('click', () => {
    signOut();
    location.reload();
  });
  const key = storedKey();
  if (key) void trySignIn(key);
  else byId('signin-key').focus();
}

boot();
