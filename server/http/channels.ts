/** Channel routes: publish, the public live set, the public log, the desk list. */
import { Router, type Request, type Response } from 'express';
import { EMPTY_EPOCH, channelSchema, formatCursor, parseCursor, publishInputSchema } from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import type { HeadlineService } from '../domain/service.js';
import type { Engine } from '../engine/types.js';
import type { ChannelHub } from '../realtime/hub.js';
import { canPublish, requireAction, requirePublish, type KeyRing } from '../auth/keys.js';
import { sendPublic, type CachePolicy } from './cache.js';
import { renderHtml } from '../formats/html.js';
import { renderJsonLd } from '../formats/jsonld.js';
import { etagOf, idempotencyKey } from './headers.js';
import { parse } from './problem.js';
import { NINJS_MEDIA_TYPE, eventToNinjs, ninjsPackage, toNinjsDoc } from '../formats/ninjs.js';
import { sendNinjsList, wantsNinjs } from '../formats/ninjs-http.js';

export interface ChannelRoutesDeps {
  service: HeadlineService;
  engine: Engine;
  hub: ChannelHub;
  keys: KeyRing;
  requireJson: (req: Request) => void;
  /** ninjs bodies on publish (server/formats). */
  ninjs?: { accepts: (req: Request) => boolean; publish: (req: Request, res: Response, channel: string, actor: string) => Promise<void> };
  /** Shared caching of the public live set and log pages. @default { maxAgeS: 5, staleS: 10 } */
  cache?: CachePolicy;
}

const channelParam = (req: Request): string => parse(channelSchema, req.params.channel, 'channel:');

export function channelRoutes(deps: ChannelRoutesDeps): Router {
  const router = Router();
  const { service, hub, keys } = deps;
  const cache = deps.cache ?? { maxAgeS: 5, staleS: 10 };

  // The channels that have had headlines and that the key may publish to.
  router.get('/channels', keys.authenticate(), async (req: Request, res: Response) => {
    const principal = req.principal!;
    const channels = (await deps.engine.channels()).filter((c) => canPublish(principal, c));
    res.setHeader('Cache-Control', 'no-store').json({ data: { channels } });
  });

  router.post('/channels/:channel/headlines', keys.authenticate(), async (req: Request, res: Response) => {
    const channel = channelParam(req);
    const principal = requirePublish(req, channel);
    if (deps.ninjs?.accepts(req)) {
      // A ninjs document may correct, hold or kill by uri+version: it needs a role that may kill.
      requireAction(req, 'retract', channel);
      return deps.ninjs.publish(req, res, channel, principal.name);
    }
    const key = idempotencyKey(req);
    deps.requireJson(req);
    const input = parse(publishInputSchema, req.body);
    requireAction(req, 'publish', channel, { urgency: input.urgency });
    const result = await service.publish(channel, input, key ? { key, scope: principal.name } : undefined, principal.name);
    req.log.info({ uri: result.headline.uri, channel, replayed: result.replayed, status: result.headline.status }, 'headline published');
    res
      .status(result.replayed ? 200 : 201)
      .setHeader('Location', `/api/v1/headlines/${result.headline.uri}`)
      .setHeader('ETag', etagOf(result.headline.version));
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.json({ data: { headline: result.headline, cursor: result.cursor ?? null } });
  });

  router.get('/channels/:channel/headlines', async (req: Request, res: Response) => {
    const channel = channelParam(req);
    // ?format=html: a fragment for first paint and search; ?format=jsonld: schema.org LiveBlogPosting.
    if (req.query.format === 'html') {
      const snap = await hub.current(channel);
      return sendPublic(req, res, renderHtml(channel, snap.cursor, snap.headlines), 'text/html; charset=utf-8', cache);
    }
    if (req.query.format === 'jsonld') {
      const url = `${req.protocol}://${req.get('host')}/api/v1/channels/${channel}/headlines`;
      const doc = renderJsonLd({ channel, url, headlines: await hub.liveSet(channel) });
      return sendPublic(req, res, JSON.stringify(doc), 'application/ld+json', cache);
    }
    const headlines = await hub.liveSet(channel);
    if (wantsNinjs(req)) {
      const doc = ninjsPackage(`urn:news-ticker:channel:${channel}`, headlines.map((h) => toNinjsDoc(h)));
      return sendPublic(req, res, JSON.stringify(doc), NINJS_MEDIA_TYPE, cache);
    }
    sendPublic(req, res, JSON.stringify({ data: { channel, headlines } }), 'application/json', cache);
  });

  router.get('/channels/:channel/events', async (req: Request, res: Response) => {
    const channel = channelParam(req);
    // Omitted and empty both mean "from the oldest retained event" (docs/protocol.md, "Cursor rules").
    const after = typeof req.query.after === 'string' && req.query.after !== '' ? req.query.after : undefined;
    const limitText = typeof req.query.limit === 'string' ? req.query.limit : '100';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new AppError('VALIDATION_FAILED', 'limit must be 1–1000', [{ field: 'query:limit', message: 'must be an integer from 1 to 1000' }]);
    }
    let from = { epoch: '', offset: 0 };
    if (after !== undefined) {
      const cursor = parseCursor(after);
      if (!cursor) throw new AppError('INVALID_CURSOR', 'a cursor looks like "EPOCH:OFFSET"', [{ field: 'query:after', message: 'a cursor looks like "EPOCH:OFFSET"; omit it or leave it empty to read from the start' }]);
      from = cursor;
    }
    // The engines read a channel without a log as epoch ''; readers know it as `empty:0`.
    const fromEmpty = from.epoch === EMPTY_EPOCH;
    let read = await deps.engine.readLog(channel, fromEmpty ? '' : from.epoch, from.offset, limit);
    if (!read.complete && after === undefined) read = await deps.engine.readLog(channel, read.epoch, read.first - 1, limit);
    // `empty:0` of a channel that has since got its first headline: a new epoch, as on the socket.
    if (!read.complete || (fromEmpty && read.epoch !== '')) {
      throw new AppError('CURSOR_EXPIRED', `fetch GET /api/v1/channels/${channel}/headlines for a fresh snapshot`);
    }
    const epoch = read.epoch || EMPTY_EPOCH;
    const events = read.events;
    const last = events.at(-1);
    const cursor = formatCursor(last ?? { epoch, offset: from.offset });
    if (wantsNinjs(req)) {
      res.setHeader('X-Cursor', cursor);
      const doc = ninjsPackage(`urn:news-ticker:channel:${channel}:log:${cursor}`, events.map(eventToNinjs));
      return sendPublic(req, res, JSON.stringify(doc), NINJS_MEDIA_TYPE, cache);
    }
    // Every page may change (a later kill or hold strips text at read time): short shared caching, never immutable.
    sendPublic(req, res, JSON.stringify({ data: { channel, events, cursor, head: `${epoch}:${read.head}` } }), 'application/json', cache);
  });

  router.get('/channels/:channel/desk', keys.authenticate(), async (req: Request, res: Response) => {
    const channel = channelParam(req);
    requirePublish(req, channel);
    const headlines = await deps.engine.deskList(channel);
    if (wantsNinjs(req)) return sendNinjsList(res.setHeader('Cache-Control', 'no-store'), `urn:news-ticker:channel:${channel}:desk`, headlines);
    res.setHeader('Cache-Control', 'no-store').json({ data: { channel, headlines } });
  });

  return router;
}
