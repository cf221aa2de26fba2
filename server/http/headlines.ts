/** Per-headline routes: read, correct, hold, release, retract, change expiry. */
import { Router, type Request, type Response } from 'express';
import {
  correctionInputSchema, expiryInputSchema, optionalReasonInputSchema, publicView, reasonInputSchema, uriSchema,
  type DeskHeadline,
} from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import type { ActionResult, HeadlineService } from '../domain/service.js';
import { canPublish, requirePublish, type KeyRing } from './auth.js';
import { etagOf, ifMatchVersion } from './headers.js';
import { parse } from './problem.js';
import { toNinjsDoc } from '../formats/ninjs.js';
import { sendNinjs, sendNinjsList, wantsNinjs } from '../formats/ninjs-http.js';

export interface HeadlineRoutesDeps {
  service: HeadlineService;
  keys: KeyRing;
  requireJson: (req: Request) => void;
}

export function headlineRoutes(deps: HeadlineRoutesDeps): Router {
  const router = Router();
  const { service, keys } = deps;

  const load = async (req: Request): Promise<DeskHeadline> => service.get(parse(uriSchema, req.params.id, 'id:'));

  const send = (res: Response, result: ActionResult): void => {
    res.setHeader('ETag', etagOf(result.headline.version)).json({ data: { headline: result.headline, cursor: result.cursor ?? null } });
  };

  /** Runs an edit after checking the key may publish to the headline's channel. */
  const edit = (action: (req: Request, doc: DeskHeadline, ifMatch: number | undefined) => Promise<ActionResult>) =>
    async (req: Request, res: Response) => {
      const doc = await load(req);
      requirePublish(req, doc.channel);
      const ifMatch = ifMatchVersion(req);
      deps.requireJson(req);
      const result = await action(req, doc, ifMatch);
      req.log.info({ uri: doc.uri, version: result.headline.version, status: result.headline.status }, 'headline changed');
      send(res, result);
    };

  // Public: the reader view of a live headline. With a key of its channel: the desk view.
  router.get('/headlines/:id', async (req: Request, res: Response) => {
    const doc = await load(req);
    const principal = keys.fromRequest(req);
    if (principal && canPublish(principal, doc.channel)) {
      if (wantsNinjs(req)) return sendNinjs(res.setHeader('ETag', etagOf(doc.version)), toNinjsDoc(doc));
      res.setHeader('ETag', etagOf(doc.version)).json({ data: { headline: doc } });
      return;
    }
    if (doc.status !== 'live') throw new AppError('HEADLINE_NOT_FOUND');
    res.setHeader('ETag', etagOf(doc.version));
    // ?format=ninjs: the IPTC ninjs 3.1 document itself, for consumers that speak ninjs.
    if (wantsNinjs(req)) sendNinjs(res, toNinjsDoc(publicView(doc)));
    else res.json({ data: { headline: publicView(doc) } });
  });

  router.patch('/headlines/:id', keys.authenticate(), edit((req, doc, ifMatch) =>
    service.correct(doc.uri, parse(correctionInputSchema, req.body), ifMatch)));

  router.post('/headlines/:id/retract', keys.authenticate(), edit((req, doc, ifMatch) =>
    service.retract(doc.uri, parse(reasonInputSchema, req.body).reason, ifMatch)));

  router.post('/headlines/:id/hold', keys.authenticate(), edit((req, doc, ifMatch) =>
    service.hold(doc.uri, parse(optionalReasonInputSchema, req.body ?? {}).reason, ifMatch)));

  router.post('/headlines/:id/release', keys.authenticate(), edit((req, doc, ifMatch) => {
    parse(optionalReasonInputSchema, req.body ?? {});
    return service.release(doc.uri, ifMatch);
  }));

  router.put('/headlines/:id/expires', keys.authenticate(), edit((req, doc, ifMatch) => {
    const { expires } = parse(expiryInputSchema, req.body);
    return service.setExpiry(doc.uri, expires, ifMatch);
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
