/**
 * What the desk's buttons do: correct (opens the composer), hold (optional reason), release,
 * retract (a kill needs a reason) and change expiry. Errors appear next to the headline's actions.
 */
import type { DeskHeadline } from '../../shared/headline.js';
import type { ActionResult, Api } from './api.js';
import { expiresAt } from './compose-model.js';
import type { Composer } from './composer.js';
import type { DeskAction, DeskView } from './desk.js';
import type { DeskStore } from './desk-store.js';
import { askExpiry, askReason } from './dialogs.js';
import { errorMessage } from './i18n.js';

export function deskActionHandler(api: Api, store: DeskStore, composer: () => Composer, view: () => DeskView) {
  const run = async (doc: DeskHeadline, call: () => Promise<ActionResult>): Promise<void> => {
    view().setError(doc.uri, undefined);
    try {
      store.apply((await call()).headline);
    } catch (err) {
      view().setError(doc.uri, errorMessage(err));
    }
  };

  return async (action: DeskAction, doc: DeskHeadline): Promise<void> => {
    switch (action) {
      case 'correct':
        composer().startCorrection(doc);
        return;
      case 'release':
        return run(doc, () => api.release(doc.uri));
      case 'hold': {
        const reason = await askReason({
          title: 'hold.title', label: 'hold.reason', confirm: 'hold.confirm', required: false, headline: doc.headline, dir: doc.direction,
        });
        if (reason === undefined) return;
        return run(doc, () => api.hold(doc.uri, reason || undefined));
      }
      case 'retract': {
        const reason = await askReason({
          title: 'retract.title', label: 'retract.reason', confirm: 'retract.confirm', required: true, headline: doc.headline, dir: doc.direction,
        });
        if (!reason) return;
        return run(doc, () => api.retract(doc.uri, reason));
      }
      case 'expiry': {
        const preset = await askExpiry(doc.headline, doc.direction);
        if (preset === undefined) return;
        return run(doc, () => api.setExpiry(doc.uri, expiresAt(preset, new Date()) ?? null));
      }
    }
  };
}
