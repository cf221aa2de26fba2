/** Per-headline routes: read, correct, hold, release, retract, change expiry. */
import { Router, type Request, type Response } from 'express';
import {
  correctionInputSchema, expiryInputSchema, optionalReasonInputSchema, publicView, reasonInputSchema, uriSchema,
  type DeskHeadline,
} from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import type { ActionResult, HeadlineService, IdempotencyInput } from '../domain/service.js';
import { canPublish, requireAction, requirePublish, type KeyRing } from '../auth/keys.js';
import type { ActionContext, RoleAction } from '../../shared/roles.js';
import { sendPublic, type CachePolicy } from './cache.js';
import { etagOf, idempotencyKey, ifMatchVersion } from './headers.js';
import { parse } from './problem.js';
import { NINJS_MEDIA_TYPE, toNinjsDoc } from '../formats/ninjs.js';
import { sendNinjs, sendNinjsList, wantsNinjs } from '../formats/ninjs-http.js';

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

  type Edit = (req: Request, doc: DeskHeadline, ifMatch: number | undefined, idem: IdempotencyInput | undefined, actor: string) => Promise<ActionResult>;

  /**
   * Runs an edit after checking the key may work on the headline's channel and its role allows
   * `roleAction` (a reporter: only own headlines, never flash or bulletin, never hold or kill).
   * With an Idempotency-Key, a retry of an applied edit answers what the first attempt did.
   */
  const edit = (roleAction: RoleAction, action: Edit) =>
    async (req: Request, res: Response) => {
      const doc = await load(req);
      const principal = requirePublish(req, doc.channel);
      const ifMatch = ifMatchVersion(req);
      const key = idempotencyKey(req);
      deps.requireJson(req);
      const ctx: ActionContext = { ...(doc.createdBy ? { owner: doc.createdBy } : {}) };
      if (roleAction === 'correct') {
        const urgency = parse(correctionInputSchema, req.body).urgency;
        if (urgency !== undefined) ctx.urgency = urgency;
      }
      requireAction(req, roleAction, doc.channel, ctx);
      const result = await action(req, doc, ifMatch, key ? { key, scope: principal.name } : undefined, principal.name);
      req.log.info({ uri: doc.uri, version: result.headline.version, status: result.headline.status, replayed: result.replayed }, 'headline changed');
      send(res, result);
    };

  // Public: the reader view of a live headline. With a key of its channel: the desk view.
  router.get('/headlines/:id', async (req: Request, res: Response) => {
    const doc = await load(req);
    const principal = await keys.fromRequest(req);
    if (principal && canPublish(principal, doc.channel)) {
      if (wantsNinjs(req)) return sendNinjs(res.setHeader('ETag', etagOf(doc.version)), toNinjsDoc(doc));
      res.setHeader('ETag', etagOf(doc.version)).json({ data: { headline: doc } });
      return;
    }
    // Held, retracted, expired or not out yet: no public copy (a kill or hold answers 404 at once).
    if (doc.status !== 'live') throw new AppError('HEADLINE_NOT_FOUND');
    // Shared caches may keep it a few seconds (deps.cache), then revalidate: after a kill the
    // answer is 404, after a change a new ETag (the version: strong, one per representation URL).
    const cache = deps.cache ?? { maxAgeS: 5, staleS: 10 };
    // ?format=ninjs: the IPTC ninjs 3.1 document itself, for consumers that speak ninjs.
    if (wantsNinjs(req)) sendPublic(req, res, JSON.stringify(toNinjsDoc(publicView(doc))), NINJS_MEDIA_TYPE, cache, etagOf(doc.version));
    else sendPublic(req, res, JSON.stringify({ data: { headline: publicView(doc) } }), 'application/json', cache, etagOf(doc.version));
  });

  router.patch('/headlines/:id', keys.authenticate(), edit('correct', (req, doc, ifMatch, idem, actor) =>
    service.correct(doc.uri, parse(correctionInputSchema, req.body), ifMatch, idem, actor)));

  router.post('/headlines/:id/retract', keys.authenticate(), edit('retract', (req, doc, ifMatch, idem, actor) =>
    service.retract(doc.uri, parse(reasonInputSchema, req.body).reason, ifMatch, idem, actor)));

  router.post('/headlines/:id/hold', keys.authenticate(), edit('hold', (req, doc, ifMatch, idem, actor) =>
    service.hold(doc.uri, parse(optionalReasonInputSchema, req.body ?? {}).reason, ifMatch, idem, actor)));

  router.post('/headlines/:id/release', keys.authenticate(), edit('release', (req, doc, ifMatch, idem, actor) => {
    parse(optionalReasonInputSchema, req.body ?? {});
    return service.release(doc.uri, ifMatch, idem, actor);
  }));

  router.put('/headlines/:id/expires', keys.authenticate(), edit('expires', (req, doc, ifMatch, idem, actor) => {
    const { expires } = parse(expiryInputSchema, req.body);
    return service.setExpiry(doc.uri, expires, ifMatch, idem, actor);
  }));

  router.get('/headlines/:id/versions', keys.authenticate(), async (req: Request, res: Response) => {
    const doc = await load(req);
    requirePublish(req, doc.channel);
    const versions = await service.versions(doc.uri);
    if (wantsNinjs(req)) return sendNinjsList(res.setHeader('Cache-Control', 'no-store'), `urn:news-ticker:headline:${doc.uri}:versions`, versions);
    res.setHeader('Cache-Control', 'no-store').json({ data: { uri: doc.uri, versions } });
  });

  return router;
}
