/** Per-headline routes: read, correct, hold, release, retract, change expiry. */
import { Router, type Request, type Response } from 'express';
import {
  correctionInputSchema, expiryInputSchema, optionalReasonInputSchema, publicView, reasonInputSchema, toNinjs, uriSchema,
  type DeskHeadline,
} from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import type { ActionResult, HeadlineService, IdempotencyInput } from '../domain/service.js';
import { canPublish, requirePublish, type KeyRing } from './auth.js';
import { sendPublic, type CachePolicy } from './cache.js';
import { etagOf, idempotencyKey, ifMatchVersion } from './headers.js';
import { parse } from './problem.js';

export interface HeadlineRoutesDeps {
  service: HeadlineService;
  keys: KeyRing;
  requireJson: (req: Request) => void;
  /** Shared caching of the public headline view. @default { maxAgeS: 5, staleS: 10 } */
  cache?: CachePolicy;
}

export function headlineRoutes(deps: HeadlineRoutesDeps): Router {
  const router = Router();
  const { service, keys } = deps;

  const load = async (req: Request): Promise<DeskHeadline> => service.get(parse(uriSchema, req.params.id, 'id:'));

  const send = (res: Response, result: ActionResult): void => {
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.setHeader('ETag', etagOf(result.headline.version)).json({ data: { headline: result.headline, cursor: result.cursor ?? null } });
  };

  type Edit = (req: Request, doc: DeskHeadline, ifMatch: number | undefined, idem: IdempotencyInput | undefined) => Promise<ActionResult>;

  /**
   * Runs an edit after checking the key may publish to the headline's channel. With an
   * Idempotency-Key, a retry of an applied edit answers what the first attempt did.
   */
  const edit = (action: Edit) =>
    async (req: Request, res: Response) => {
      const doc = await load(req);
      const principal = requirePublish(req, doc.channel);
      const ifMatch = ifMatchVersion(req);
      const key = idempotencyKey(req);
      deps.requireJson(req);
      const result = await action(req, doc, ifMatch, key ? { key, scope: principal.name } : undefined);
      req.log.info({ uri: doc.uri, version: result.headline.version, status: result.headline.status, replayed: result.replayed }, 'headline changed');
      send(res, result);
    };

  // Public: the reader view of a live headline. With a key of its channel: the desk view.
  router.get('/headlines/:id', async (req: Request, res: Response) => {
    const doc = await load(req);
    const principal = keys.fromRequest(req);
    if (principal && canPublish(principal, doc.channel)) {
      res.setHeader('ETag', etagOf(doc.version)).json({ data: { headline: doc } });
      return;
    }
    // Held, retracted, expired or not out yet: no public copy (a kill or hold answers 404 at once).
    if (doc.status !== 'live') throw new AppError('HEADLINE_NOT_FOUND');
    // Shared caches may keep it a few seconds (deps.cache), then revalidate: after a kill the
    // answer is 404, after a change a new ETag (the version: strong, one per representation URL).
    const cache = deps.cache ?? { maxAgeS: 5, staleS: 10 };
    // ?format=ninjs: the IPTC ninjs 3.1 document itself, for consumers that speak ninjs.
    if (req.query.format === 'ninjs') sendPublic(req, res, JSON.stringify(toNinjs(publicView(doc))), 'application/ninjs+json', cache, etagOf(doc.version));
    else sendPublic(req, res, JSON.stringify({ data: { headline: publicView(doc) } }), 'application/json', cache, etagOf(doc.version));
  });

  router.patch('/headlines/:id', keys.authenticate(), edit((req, doc, ifMatch, idem) =>
    service.correct(doc.uri, parse(correctionInputSchema, req.body), ifMatch, idem)));

  router.post('/headlines/:id/retract', keys.authenticate(), edit((req, doc, ifMatch, idem) =>
    service.retract(doc.uri, parse(reasonInputSchema, req.body).reason, ifMatch, idem)));

  router.post('/headlines/:id/hold', keys.authenticate(), edit((req, doc, ifMatch, idem) =>
    service.hold(doc.uri, parse(optionalReasonInputSchema, req.body ?? {}).reason, ifMatch, idem)));

  router.post('/headlines/:id/release', keys.authenticate(), edit((req, doc, ifMatch, idem) => {
    parse(optionalReasonInputSchema, req.body ?? {});
    return service.release(doc.uri, ifMatch, idem);
  }));

  router.put('/headlines/:id/expires', keys.authenticate(), edit((req, doc, ifMatch, idem) => {
    const { expires } = parse(expiryInputSchema, req.body);
    return service.setExpiry(doc.uri, expires, ifMatch, idem);
  }));

  router.get('/headlines/:id/versions', keys.authenticate(), async (req: Request, res: Response) => {
    const doc = await load(req);
    requirePublish(req, doc.channel);
    res.setHeader('Cache-Control', 'no-store').json({ data: { uri: doc.uri, versions: await service.versions(doc.uri) } });
  });

  return router;
}
