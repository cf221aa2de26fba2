/** The audit trail API: per headline (oldest first) and per channel (newest first, paged). */
import { Router, type Request, type Response } from 'express';
import { channelSchema, uriSchema } from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import type { HeadlineService } from '../domain/service.js';
import type { Engine } from '../engine/types.js';
import { requirePublish, type KeyRing } from '../auth/keys.js';
import { parse } from './problem.js';

export interface AuditRoutesDeps {
  service: HeadlineService;
  engine: Engine;
  keys: KeyRing;
}

function intParam(req: Request, name: string, fallback: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new AppError('VALIDATION_FAILED', `${name} must be 0–${max}`, [{ field: `query:${name}`, message: `must be an integer from 0 to ${max}` }]);
  }
  return n;
}

export function auditRoutes(deps: AuditRoutesDeps): Router {
  const router = Router();
  const { service, engine, keys } = deps;

  router.get('/headlines/:id/audit', keys.authenticate(), async (req: Request, res: Response) => {
    const doc = await service.get(parse(uriSchema, req.params.id, 'id:'));
    requirePublish(req, doc.channel);
    res.setHeader('Cache-Control', 'no-store').json({ data: { uri: doc.uri, channel: doc.channel, entries: await engine.headlineAudit(doc.uri) } });
  });

  router.get('/channels/:channel/audit', keys.authenticate(), async (req: Request, res: Response) => {
    const channel = parse(channelSchema, req.params.channel, 'channel:');
    requirePublish(req, channel);
    const limit = Math.max(1, intParam(req, 'limit', 100, 1000));
    const skip = intParam(req, 'skip', 0, 1_000_000);
    res.setHeader('Cache-Control', 'no-store').json({ data: { channel, entries: await engine.channelAudit(channel, limit, skip) } });
  });

  return router;
}
