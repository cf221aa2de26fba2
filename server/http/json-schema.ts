/**
 * The reader protocol as JSON Schema (draft 2020-12), generated from the zod schemas in
 * shared/wire.ts, so a client in any language can check what it receives against what the
 * server sends:
 *
 * - `GET /api/v1/schema/protocol.json`: every type under `$defs` (Headline, TickerEvent, …);
 * - `GET /api/v1/schema/{name}.json`: one type, self-contained (`headline`, `event`, `snapshot`,
 *   `subscribe-request`, `subscribe-ack`, `event-log`, `draining`, `closing`, `problem`).
 *
 * `application/schema+json`, cached like the other public reads (strong ETag, short shared
 * caching, 304): the documents change only with a new server version.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { WIRE_DOCUMENTS, wireRegistry, type WireDocumentName } from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import { sendPublic, type CachePolicy } from './cache.js';

export const SCHEMA_MEDIA_TYPE = 'application/schema+json';
const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

type Json = Record<string, unknown>;

/** Every named wire type, as one document with `$defs` (references between them stay inside it). */
export function protocolJsonSchema(): Json {
  const { schemas } = z.toJSONSchema(wireRegistry, { uri: (id) => `#/$defs/${id}` }) as { schemas: Record<string, Json> };
  const defs: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema;
    defs[id] = rest;
  }
  return {
    $schema: DRAFT,
    title: 'news-ticker reader protocol',
    description: 'The payloads of the Socket.IO events, the SSE stream and the public log (docs/protocol.md). Clients ignore fields they do not know.',
    $defs: defs,
  };
}

/** One wire type, self-contained (the types it uses under `$defs`). */
export function wireJsonSchema(name: WireDocumentName): Json {
  return z.toJSONSchema(WIRE_DOCUMENTS[name], { metadata: wireRegistry }) as Json;
}

const isDocument = (name: string): name is WireDocumentName => Object.hasOwn(WIRE_DOCUMENTS, name);

export function jsonSchemaRoutes(cache: CachePolicy): Router {
  const router = Router();
  const bodies = new Map<string, string>();
  const body = (name: string): string | undefined => {
    if (!bodies.has(name)) {
      if (name === 'protocol') bodies.set(name, JSON.stringify(protocolJsonSchema()));
      else if (isDocument(name)) bodies.set(name, JSON.stringify(wireJsonSchema(name)));
    }
    return bodies.get(name);
  };
  router.get('/schema/:name.json', (req: Request, res: Response) => {
    const text = body(String(req.params.name));
    if (text === undefined) throw new AppError('NOT_FOUND', `the schemas are protocol, ${Object.keys(WIRE_DOCUMENTS).join(', ')}`);
    sendPublic(req, res, text, SCHEMA_MEDIA_TYPE, cache);
  });
  return router;
}
