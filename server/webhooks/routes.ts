/** Admin routes for webhooks: register (the secret is shown once), list, remove, delivery log. */
import { Router, type Request, type Response } from 'express';
import { AppError } from '../domain/errors.js';
import { requireAdmin } from '../feeds/routes.js';
import type { KeyRing } from '../auth/keys.js';
import { parse } from '../http/problem.js';
import type { WebhookDispatcher } from './dispatcher.js';
import { webhookInputSchema, type Webhook } from './schemas.js';

export interface WebhookRoutesDeps {
  webhooks: WebhookDispatcher;
  keys: KeyRing;
  requireJson: (req: Request) => void;
}

const withoutSecret = ({ secret: _s, ...rest }: Webhook) => rest;

export function webhookRoutes(deps: WebhookRoutesDeps): Router {
  const router = Router();
  const { webhooks, keys } = deps;
  const admin = [keys.authenticate(), (req: Request, _res: Response, next: () => void) => { requireAdmin(req); next(); }];
  const load = async (req: Request): Promise<Webhook> => {
    const hook = await webhooks.get(String(req.params.id));
    if (!hook) throw new AppError('WEBHOOK_NOT_FOUND');
    return hook;
  };

  router.post('/webhooks', ...admin, async (req: Request, res: Response) => {
    deps.requireJson(req);
    const hook = await webhooks.register(parse(webhookInputSchema, req.body));
    req.log.info({ webhook: hook.id, channel: hook.channel, events: hook.events }, 'webhook registered');
    res.status(201).setHeader('Location', `/api/v1/webhooks/${hook.id}`).json({ data: hook });
  });

  router.get('/webhooks', ...admin, async (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store').json({ data: { webhooks: (await webhooks.list()).map(withoutSecret) } });
  });

  router.delete('/webhooks/:id', ...admin, async (req: Request, res: Response) => {
    await webhooks.remove((await load(req)).id);
    res.status(204).end();
  });

  router.get('/webhooks/:id/deliveries', ...admin, async (req: Request, res: Response) => {
    const hook = await load(req);
    res.setHeader('Cache-Control', 'no-store').json({ data: { webhook: hook.id, deliveries: await webhooks.deliveries(hook.id) } });
  });

  return router;
}
