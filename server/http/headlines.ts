/** Per-headline routes: read, correct, hold, release, retract, change expiry. */
import { Router, type Request, type Response } from 'express';
import {
  correctionInputSchema, expiryInputSchema, optionalReasonInputSchema, publicView, reasonInputSchema, toNinjs, uriSchema,
  type DeskHeadline,
} from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import type { ActionResult, HeadlineService } from '../domain/service.js';
import { canPublish, requireAction, requirePublish, type KeyRing } from '../auth/keys.js';
import type { ActionContext, RoleAction } from '../../shared/roles.js';
import { etagOf, ifMatchVersion } from './headers.js';
import { parse } from './problem.js';

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

  /**
   * Runs an edit after checking the key may work on the headline's channel and its role allows
   * `roleAction` (a reporter: only own headlines, never flash or bulletin, never hold or kill).
   */
  const edit = (
    roleAction: RoleAction,
    action: (req: Request, doc: DeskHeadline, ifMatch: number | undefined, actor: string) => Promise<ActionResult>,
  ) =>
    async (req: Request, res: Response) => {
      const doc = await load(req);
      requirePublish(req, doc.channel);
      const ifMatch = ifMatchVersion(req);
      deps.requireJson(req);
      const ctx: ActionContext = { ...(doc.createdBy ? { owner: doc.createdBy } : {}) };
      if (roleAction === 'correct') {
        const urgency = parse(correctionInputSchema, req.body).urgency;
        if (urgency !== undefined) ctx.urgency = urgency;
      }
      const principal = requireAction(req, roleAction, doc.channel, ctx);
      const result = await action(req, doc, ifMatch, principal.name);
      req.log.info({ uri: doc.uri, version: result.headline.version, status: result.headline.status }, 'headline changed');
      send(res, result);
    };

  // Public: the reader view of a live headline. With a key of its channel: the desk view.
  router.get('/headlines/:id', async (req: Request, res: Response) => {
    const doc = await load(req);
    const principal = await keys.fromRequest(req);
    if (principal && canPublish(principal, doc.channel)) {
      res.setHeader('ETag', etagOf(doc.version)).json({ data: { headline: doc } });
      return;
    }
    if (doc.status !== 'live') throw new AppError('HEADLINE_NOT_FOUND');
    res.setHeader('ETag', etagOf(doc.version));
    // ?format=ninjs: the IPTC ninjs 3.1 document itself, for consumers that speak ninjs.
    if (req.query.format === 'ninjs') res.type('application/ninjs+json').send(JSON.stringify(toNinjs(publicView(doc))));
    else res.json({ data: { headline: publicView(doc) } });
  });

  router.patch('/headlines/:id', keys.authenticate(), edit('correct', (req, doc, ifMatch, actor) =>
    service.correct(doc.uri, parse(correctionInputSchema, req.body), ifMatch, actor)));

  router.post('/headlines/:id/retract', keys.authenticate(), edit('retract', (req, doc, ifMatch, actor) =>
    service.retract(doc.uri, parse(reasonInputSchema, req.body).reason, ifMatch, actor)));

  router.post('/headlines/:id/hold', keys.authenticate(), edit('hold', (req, doc, ifMatch, actor) =>
    service.hold(doc.uri, parse(optionalReasonInputSchema, req.body ?? {}).reason, ifMatch, actor)));

  router.post('/headlines/:id/release', keys.authenticate(), edit('release', (req, doc, ifMatch, actor) => {
    parse(optionalReasonInputSchema, req.body ?? {});
    return service.release(doc.uri, ifMatch, actor);
  }));

  router.put('/headlines/:id/expires', keys.authenticate(), edit('expires', (req, doc, ifMatch, actor) => {
    const { expires } = parse(expiryInputSchema, req.body);
    return service.setExpiry(doc.uri, expires, ifMatch, actor);
  }));

  router.get('/headlines/:id/versions', keys.authenticate(), async (req: Request, res: Response) => {
    const doc = await load(req);
    requirePublish(req, doc.channel);
    res.setHeader('Cache-Control', 'no-store').json({ data: { uri: doc.uri, versions: await service.versions(doc.uri) } });
  });

  return router;
}
