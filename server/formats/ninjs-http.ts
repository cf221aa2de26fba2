/**
 * ninjs over HTTP: `POST /channels/:channel/headlines` with a ninjs body (publish, correct,
 * hold, release or kill by the document's uri and version), and `?format=ninjs` on the views.
 */
import type { Request, Response } from 'express';
import { uriSchema, type DeskHeadline, type Headline } from '../../shared/index.js';
import type { Engine } from '../engine/types.js';
import { etagOf } from '../http/headers.js';
import { fromNinjs, looksLikeNinjs, NINJS_MEDIA_TYPE, ninjsPackage, toNinjsDoc, type NinjsDoc } from './ninjs.js';
import { sourcedId, type SourcedPublisher } from './sourced.js';

const OWN_URN = /^urn:news-ticker:headline:(.+)$/;
const VERSIONS_NS = 'ninjs-version';

/** Whether a publish request carries ninjs: by media type, or by shape. */
export function isNinjsRequest(req: Request): boolean {
  return req.is(NINJS_MEDIA_TYPE) === NINJS_MEDIA_TYPE || looksLikeNinjs(req.body);
}

/** `?format=ninjs` or `Accept: application/ninjs+json`. */
export function wantsNinjs(req: Request): boolean {
  return req.query.format === 'ninjs' || (req.get('accept') ?? '').includes(NINJS_MEDIA_TYPE);
}

export function sendNinjs(res: Response, doc: NinjsDoc): void {
  res.type(NINJS_MEDIA_TYPE).send(JSON.stringify(doc));
}

/** A list view (live set, desk list, versions) as one ninjs composite. */
export function sendNinjsList(res: Response, uri: string, headlines: (Headline | DeskHeadline)[]): void {
  sendNinjs(res, ninjsPackage(uri, headlines.map((h) => toNinjsDoc(h))));
}

/** `true` when version `a` is newer than `b`: numerically when both are numbers, else when they differ. */
export function isNewerVersion(a: string, b: string): boolean {
  if (/^\d{1,15}$/.test(a) && /^\d{1,15}$/.test(b)) return Number(a) > Number(b);
  return a !== b;
}

export interface NinjsPublishDeps {
  engine: Engine;
  sourced: SourcedPublisher;
}

export function ninjsPublishHandler(deps: NinjsPublishDeps) {
  return async (req: Request, res: Response, channel: string, actor: string): Promise<void> => {
    const request = fromNinjs(req.body);
    const own = OWN_URN.exec(request.uri)?.[1];
    const id = own && uriSchema.safeParse(own).success ? own : sourcedId('ninjs', channel, request.uri);
    const seen = await deps.engine.recordGet(VERSIONS_NS, id);
    const existing = seen !== null ? await deps.engine.getDoc(id) : null;
    if (existing && seen !== null && request.version !== undefined && !isNewerVersion(request.version, seen)) {
      // The same uri+version again (a retry), or an older one arriving late: nothing changes.
      req.log.info({ uri: id, version: request.version }, 'ninjs version already applied');
      res.setHeader('ETag', etagOf(existing.version)).setHeader('Idempotent-Replayed', 'true');
      res.json({ data: { headline: existing, cursor: null, actions: [] } });
      return;
    }
    const note = request.input.edNote ?? `changed by the source (ninjs version ${request.version ?? 'unknown'})`;
    const result = await deps.sourced.apply(id, channel, request.input, request.pubStatus, note, { actor });
    if (request.version !== undefined) await deps.engine.recordPut(VERSIONS_NS, id, request.version);
    req.log.info({ uri: id, channel, actions: result.actions, source: request.uri }, 'ninjs applied');
    res
      .status(result.created ? 201 : 200)
      .setHeader('Location', `/api/v1/headlines/${id}`)
      .setHeader('ETag', etagOf(result.headline.version));
    if (result.actions.length === 0) res.setHeader('Idempotent-Replayed', 'true');
    res.json({ data: { headline: result.headline, cursor: result.cursor ?? null, actions: result.actions } });
  };
}
