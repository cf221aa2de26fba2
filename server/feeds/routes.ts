/** Admin routes for feeds in: subscriptions, their state and a poll on demand, and the feed settings. */
import { Router, type Request, type Response } from 'express';
import { AppError } from '../domain/errors.js';
import { isAdmin, type KeyRing } from '../auth/keys.js';
import { parse } from '../http/problem.js';
import { checkHost, FeedFetchError } from './fetch.js';
import { feedInputSchema, feedSettingsSchema, type FeedIngest, type FeedSubscription } from './ingest.js';

export interface FeedAdminDeps {
  ingest: FeedIngest;
  keys: KeyRing;
  requireJson: (req: Request) => void;
}

export function requireAdmin(req: Request): void {
  if (!req.principal) throw new AppError('UNAUTHENTICATED');
  if (!isAdmin(req.principal)) throw new AppError('FORBIDDEN', 'this needs a key with the admin scope');
}

export function feedAdminRoutes(deps: FeedAdminDeps): Router {
  const router = Router();
  const { ingest, keys } = deps;
  const admin = [keys.authenticate(), (req: Request, _res: Response, next: () => void) => { requireAdmin(req); next(); }];

  const withState = async (feed: FeedSubscription) => ({ ...feed, state: await ingest.state(feed.id) });
  const load = async (req: Request): Promise<FeedSubscription> => {
    const feed = await ingest.get(String(req.params.id));
    if (!feed) throw new AppError('FEED_NOT_FOUND');
    return feed;
  };

  router.get('/settings/feeds', ...admin, async (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store').json({ data: await ingest.settings() });
  });

  router.put('/settings/feeds', ...admin, async (req: Request, res: Response) => {
    deps.requireJson(req);
    const settings = parse(feedSettingsSchema, req.body);
    await ingest.saveSettings(settings);
    req.log.info(settings, 'feed settings changed');
    res.json({ data: settings });
  });

  router.post('/feeds', ...admin, async (req: Request, res: Response) => {
    deps.requireJson(req);
    const input = parse(feedInputSchema, req.body);
    try {
      await checkHost(input.url, (await ingest.settings()).allowPrivateAddresses);
    } catch (err) {
      if (err instanceof FeedFetchError && (err.reason === 'scheme' || err.reason === 'address')) {
        throw new AppError('FEED_URL_REFUSED', err.message, [{ field: 'url', message: err.message }]);
      }
      if (!(err instanceof FeedFetchError)) throw err;
      // Cannot resolve now: accepted; each poll checks again and reports.
    }
    const feed = await ingest.create(input);
    req.log.info({ feed: feed.id, channel: feed.channel }, 'feed connected');
    res.status(201).setHeader('Location', `/api/v1/feeds/${feed.id}`).json({ data: await withState(feed) });
  });

  router.get('/feeds', ...admin, async (_req: Request, res: Response) => {
    const feeds = await Promise.all((await ingest.list()).map(withState));
    res.setHeader('Cache-Control', 'no-store').json({ data: { feeds } });
  });

  router.get('/feeds/:id', ...admin, async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store').json({ data: await withState(await load(req)) });
  });

  router.delete('/feeds/:id', ...admin, async (req: Request, res: Response) => {
    const feed = await load(req);
    await ingest.remove(feed.id);
    res.status(204).end();
  });

  router.post('/feeds/:id/poll', ...admin, async (req: Request, res: Response) => {
    const feed = await load(req);
    res.json({ data: await ingest.poll(feed) });
  });

  return router;
}
