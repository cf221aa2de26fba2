/**
 * The OpenAPI 3.1 description, generated from the zod schemas the routes parse with
 * (`z.toJSONSchema`, built into zod 4), so it cannot drift from what the server accepts.
 * Served at `/api/v1/openapi.json`, with a plain HTML reference at `/api/v1/reference`
 * (no CDN, works offline). test/openapi.test.ts lints it and checks every route is in it.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  correctionInputSchema, eventLogPageSchema, expiryInputSchema, optionalReasonInputSchema, publishInputSchema, reasonInputSchema,
} from '../../shared/index.js';
import { feedInputSchema, feedSettingsSchema } from '../feeds/ingest.js';
import { webhookInputSchema } from '../webhooks/schemas.js';
import { personInputSchema } from './people.js';
import { actionOut, deskHeadlineOut, headlineOut, ninjsActionOut, problemOut } from './openapi-schemas.js';
import { SCHEMA_MEDIA_TYPE } from './json-schema.js';
import { renderReference } from './openapi-page.js';

type Json = Record<string, unknown>;

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, relative to /api/v1. */
  path: string;
  summary: string;
  tag: string;
  /** 'none' (public), 'key' (any key; the route checks the channel), 'admin'. */
  auth: 'none' | 'key' | 'admin';
  body?: z.ZodType;
  /** Extra request media types (e.g. ninjs) with a JSON Schema. */
  altBodies?: Record<string, Json>;
  query?: { name: string; description: string; schema: Json }[];
  headers?: { name: string; description: string }[];
  ok: { status: number; description: string; schema?: z.ZodType; media?: Record<string, Json> };
  errors: number[];
}

const data = (schema: z.ZodType) => z.object({ data: schema });
const ninjsFormat = { name: 'format', description: '`ninjs`: answer as an IPTC ninjs 3.1 document (lists as a composite with associations)', schema: { type: 'string', enum: ['ninjs'] } };
const ninjsMedia: Json = { schema: { type: 'object', required: ['uri'], description: 'IPTC ninjs 3.1 (http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json)' } };
const feedOut = z.object({ id: z.string(), channel: z.string(), url: z.string(), urgency: z.number(), pollSeconds: z.number(), state: z.record(z.string(), z.unknown()) });

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/me', summary: 'The API key in use and its scopes', tag: 'keys', auth: 'key', ok: { status: 200, description: 'The key', schema: data(z.object({ name: z.string(), scopes: z.array(z.string()) })) }, errors: [401] },
  { method: 'get', path: '/readers', summary: 'Connected readers per channel, over all processes', tag: 'channels', auth: 'none', ok: { status: 200, description: 'Reader counts', schema: data(z.object({ channels: z.record(z.string(), z.number()) })) }, errors: [] },
  { method: 'get', path: '/channels', summary: 'Channels the key may publish to', tag: 'channels', auth: 'key', ok: { status: 200, description: 'Channel names', schema: data(z.object({ channels: z.array(z.string()) })) }, errors: [401] },
  {
    method: 'post', path: '/channels/:channel/headlines', summary: 'Publish a headline (our JSON, or a ninjs 3.1 document by uri and version)', tag: 'headlines', auth: 'key',
    body: publishInputSchema, altBodies: { 'application/ninjs+json': ninjsMedia },
    headers: [{ name: 'Idempotency-Key', description: 'Retries with the same key publish once (our JSON body only; ninjs is idempotent by uri+version)' }],
    ok: { status: 201, description: 'Published (200 for an idempotent replay or a ninjs update)', schema: z.union([actionOut, ninjsActionOut]) }, errors: [400, 401, 403, 409, 413, 415, 422],
  },
  { method: 'get', path: '/channels/:channel/headlines', summary: 'The public live set, newest first', tag: 'channels', auth: 'none', query: [ninjsFormat], ok: { status: 200, description: 'Live headlines', schema: data(z.object({ channel: z.string(), headlines: z.array(headlineOut) })) }, errors: [400] },
  {
    method: 'get', path: '/channels/:channel/events', summary: 'The channel log after a cursor', tag: 'channels', auth: 'none',
    query: [{ name: 'after', description: 'A cursor "EPOCH:OFFSET"; omitted or empty: from the oldest retained event', schema: { type: 'string' } }, { name: 'limit', description: '1–1000', schema: { type: 'integer', minimum: 1, maximum: 1000 } }, ninjsFormat],
    ok: { status: 200, description: 'Events, oldest first; page with `after` = `cursor` until `cursor` equals `head`', schema: eventLogPageSchema }, errors: [400, 410],
  },
  { method: 'get', path: '/channels/:channel/desk', summary: 'Recent headlines of a channel in every state (desk)', tag: 'channels', auth: 'key', query: [ninjsFormat], ok: { status: 200, description: 'Desk list', schema: data(z.object({ channel: z.string(), headlines: z.array(deskHeadlineOut) })) }, errors: [400, 401, 403] },
  { method: 'get', path: '/channels/:channel/feed.json', summary: 'JSON Feed 1.1 of the live set', tag: 'feeds', auth: 'none', ok: { status: 200, description: 'JSON Feed 1.1 (ETag; 304 on If-None-Match)', media: { 'application/feed+json': { schema: { type: 'object', required: ['version', 'title', 'items'] } } } }, errors: [400] },
  { method: 'get', path: '/channels/:channel/feed.atom', summary: 'Atom 1.0 feed of the live set', tag: 'feeds', auth: 'none', ok: { status: 200, description: 'Atom 1.0 (ETag; 304 on If-None-Match)', media: { 'application/atom+xml': { schema: { type: 'string' } } } }, errors: [400] },
  { method: 'get', path: '/headlines/:id', summary: 'A live headline (public), or any headline with a key of its channel (desk view)', tag: 'headlines', auth: 'none', query: [ninjsFormat], ok: { status: 200, description: 'The headline', schema: data(z.object({ headline: deskHeadlineOut })) }, errors: [400, 401, 404] },
  { method: 'patch', path: '/headlines/:id', summary: 'Correct a headline (a new version)', tag: 'headlines', auth: 'key', body: correctionInputSchema, headers: [{ name: 'If-Match', description: 'The version the editor saw' }], ok: { status: 200, description: 'Corrected', schema: actionOut }, errors: [400, 401, 403, 404, 409, 412] },
  { method: 'post', path: '/headlines/:id/retract', summary: 'Retract (kill) a headline everywhere', tag: 'headlines', auth: 'key', body: reasonInputSchema, ok: { status: 200, description: 'Retracted', schema: actionOut }, errors: [400, 401, 403, 404, 409, 412] },
  { method: 'post', path: '/headlines/:id/hold', summary: 'Hold (withhold) a headline', tag: 'headlines', auth: 'key', body: optionalReasonInputSchema, ok: { status: 200, description: 'Held', schema: actionOut }, errors: [400, 401, 403, 404, 409, 412] },
  { method: 'post', path: '/headlines/:id/release', summary: 'Release a held headline', tag: 'headlines', auth: 'key', body: optionalReasonInputSchema, ok: { status: 200, description: 'Released', schema: actionOut }, errors: [400, 401, 403, 404, 409, 412] },
  { method: 'put', path: '/headlines/:id/expires', summary: 'Set or clear the expiry', tag: 'headlines', auth: 'key', body: expiryInputSchema, ok: { status: 200, description: 'Changed', schema: actionOut }, errors: [400, 401, 403, 404, 409, 412] },
  { method: 'get', path: '/headlines/:id/versions', summary: 'A headline\'s versions, oldest first', tag: 'headlines', auth: 'key', query: [ninjsFormat], ok: { status: 200, description: 'Versions', schema: data(z.object({ uri: z.string(), versions: z.array(deskHeadlineOut) })) }, errors: [400, 401, 403, 404] },
  { method: 'get', path: '/settings/feeds', summary: 'Feed ingest settings', tag: 'feeds', auth: 'admin', ok: { status: 200, description: 'Settings', schema: data(feedSettingsSchema) }, errors: [401, 403] },
  { method: 'put', path: '/settings/feeds', summary: 'Change feed ingest settings (private addresses)', tag: 'feeds', auth: 'admin', body: feedSettingsSchema, ok: { status: 200, description: 'Settings', schema: data(feedSettingsSchema) }, errors: [400, 401, 403] },
  { method: 'post', path: '/feeds', summary: 'Connect an RSS/Atom/RDF feed to a channel', tag: 'feeds', auth: 'admin', body: feedInputSchema, ok: { status: 201, description: 'Connected', schema: data(feedOut) }, errors: [400, 401, 403] },
  { method: 'get', path: '/feeds', summary: 'Connected feeds and their last poll', tag: 'feeds', auth: 'admin', ok: { status: 200, description: 'Feeds', schema: data(z.object({ feeds: z.array(feedOut) })) }, errors: [401, 403] },
  { method: 'get', path: '/feeds/:id', summary: 'One feed and its last poll', tag: 'feeds', auth: 'admin', ok: { status: 200, description: 'Feed', schema: data(feedOut) }, errors: [401, 403, 404] },
  { method: 'delete', path: '/feeds/:id', summary: 'Disconnect a feed (its headlines stay)', tag: 'feeds', auth: 'admin', ok: { status: 204, description: 'Disconnected' }, errors: [401, 403, 404] },
  { method: 'post', path: '/feeds/:id/poll', summary: 'Poll a feed now', tag: 'feeds', auth: 'admin', ok: { status: 200, description: 'The poll report', schema: data(z.record(z.string(), z.unknown())) }, errors: [401, 403, 404] },
  { method: 'post', path: '/webhooks', summary: 'Register a webhook endpoint for a channel and event types', tag: 'webhooks', auth: 'admin', body: webhookInputSchema, ok: { status: 201, description: 'Registered; the signing secret (whsec_…) is shown only here', schema: data(z.record(z.string(), z.unknown())) }, errors: [400, 401, 403] },
  { method: 'get', path: '/webhooks', summary: 'Registered webhooks (without secrets)', tag: 'webhooks', auth: 'admin', ok: { status: 200, description: 'Webhooks', schema: data(z.object({ webhooks: z.array(z.record(z.string(), z.unknown())) })) }, errors: [401, 403] },
  { method: 'delete', path: '/webhooks/:id', summary: 'Remove a webhook', tag: 'webhooks', auth: 'admin', ok: { status: 204, description: 'Removed' }, errors: [401, 403, 404] },
  { method: 'get', path: '/webhooks/:id/deliveries', summary: 'The delivery log of a webhook, newest first', tag: 'webhooks', auth: 'admin', ok: { status: 200, description: 'Delivery attempts', schema: data(z.object({ webhook: z.string(), deliveries: z.array(z.record(z.string(), z.unknown())) })) }, errors: [401, 403, 404] },
  { method: 'get', path: '/channels/:channel/stream', summary: 'Server-Sent Events: the channel live, resumable with Last-Event-ID or ?after=', tag: 'stream', auth: 'none', query: [{ name: 'after', description: 'A cursor "EPOCH:OFFSET" (Last-Event-ID wins)', schema: { type: 'string' } }], ok: { status: 200, description: 'text/event-stream', media: { 'text/event-stream': { schema: { type: 'string' } } } }, errors: [400, 409] },
  { method: 'get', path: '/stream', summary: 'Server-Sent Events for several channels in one stream', tag: 'stream', auth: 'none', query: [{ name: 'channels', description: 'Comma-separated channel names (at most 20)', schema: { type: 'string' } }], ok: { status: 200, description: 'text/event-stream', media: { 'text/event-stream': { schema: { type: 'string' } } } }, errors: [400, 409] },
  { method: 'get', path: '/headlines/:id/audit', summary: 'A headline\'s audit trail, oldest first (who, what, when, versions, reason)', tag: 'audit', auth: 'key', ok: { status: 200, description: 'Audit entries', schema: data(z.object({ uri: z.string(), entries: z.array(z.record(z.string(), z.unknown())) })) }, errors: [400, 401, 403, 404] },
  { method: 'get', path: '/channels/:channel/audit', summary: 'A channel\'s audit trail, newest first', tag: 'audit', auth: 'key', query: [{ name: 'limit', description: '1–1000 (default 100)', schema: { type: 'integer', minimum: 1, maximum: 1000 } }, { name: 'skip', description: 'Entries to skip from the newest', schema: { type: 'integer', minimum: 0 } }], ok: { status: 200, description: 'Audit entries', schema: data(z.object({ channel: z.string(), entries: z.array(z.record(z.string(), z.unknown())) })) }, errors: [400, 401, 403] },
  { method: 'get', path: '/people', summary: 'Named accounts (never their keys)', tag: 'people', auth: 'admin', ok: { status: 200, description: 'People', schema: data(z.object({ people: z.array(z.record(z.string(), z.unknown())) })) }, errors: [401, 403] },
  { method: 'post', path: '/people', summary: 'Create a person with a role and channels; the key is shown once', tag: 'people', auth: 'admin', body: personInputSchema, ok: { status: 201, description: 'Created, with the key', schema: data(z.record(z.string(), z.unknown())) }, errors: [400, 401, 403, 409] },
  { method: 'post', path: '/people/:id/rotate', summary: 'Issue a new key; the old one stops working on every process within 1 s', tag: 'people', auth: 'admin', ok: { status: 200, description: 'The new key, shown once', schema: data(z.record(z.string(), z.unknown())) }, errors: [400, 401, 403, 404] },
  { method: 'post', path: '/people/:id/revoke', summary: 'Revoke a person\'s key on every process within 1 s', tag: 'people', auth: 'admin', ok: { status: 200, description: 'Revoked', schema: data(z.record(z.string(), z.unknown())) }, errors: [400, 401, 403, 404] },
  {
    method: 'get', path: '/schema/:name.json', summary: 'The reader protocol as JSON Schema (generated from the zod schemas): `protocol` (every type under $defs) or one type', tag: 'meta', auth: 'none',
    ok: { status: 200, description: 'JSON Schema draft 2020-12 (ETag; 304 on If-None-Match)', media: { [SCHEMA_MEDIA_TYPE]: { schema: { type: 'object' } } } }, errors: [404],
  },
  { method: 'get', path: '/openapi.json', summary: 'This description', tag: 'meta', auth: 'none', ok: { status: 200, description: 'OpenAPI 3.1', media: { 'application/json': { schema: { type: 'object' } } } }, errors: [] },
  { method: 'get', path: '/reference', summary: 'This description as an HTML page', tag: 'meta', auth: 'none', ok: { status: 200, description: 'HTML', media: { 'text/html': { schema: { type: 'string' } } } }, errors: [] },
];

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (problem+json, code VALIDATION_FAILED, MALFORMED_JSON, …)', 401: 'No or an invalid API key', 403: 'The key lacks the scope',
  404: 'Not found', 409: 'Not allowed in the current state', 410: 'Cursor expired', 412: 'Version mismatch (If-Match)',
  413: 'Body too large', 415: 'Unsupported media type', 422: 'Idempotency-Key reused with a different body',
};

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

export const toOpenApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

export function buildOpenApi(serverUrl = '/api/v1'): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of OPERATIONS) {
    const params = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const operation: Json = {
      operationId: `${op.method}${op.path.replace(/[^a-zA-Z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: op.summary,
      description: op.summary,
      tags: [op.tag],
      security: op.auth === 'none' ? [] : [{ bearer: [] }],
      parameters: [
        ...params,
        ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema })),
        ...(op.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string' } })),
      ],
      ...(op.body ? {
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) }, ...(op.altBodies ?? {}) } },
      } : {}),
      responses: {
        [String(op.ok.status)]: {
          description: op.ok.description,
          ...(op.ok.schema ? { content: { 'application/json': { schema: jsonSchema(op.ok.schema) } } } : op.ok.media ? { content: op.ok.media } : {}),
        },
        ...Object.fromEntries([...new Set([...op.errors, 500])].map((s) => [String(s), { $ref: '#/components/responses/Problem' }])),
      },
    };
    (paths[toOpenApiPath(op.path)] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'news-ticker API',
      version: '1.0.0',
      description: 'Publish, correct, hold and retract headlines; read live sets, logs and feeds; connect feeds and webhooks. Errors are RFC 9457 problem+json with a stable `code`.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-news-ticker' },
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name, description: `${name} operations` })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer KEY` (or `X-API-Key: KEY`)' } },
      responses: {
        Problem: { description: Object.values(STATUS_TEXT).join('; '), content: { 'application/problem+json': { schema: jsonSchema(problemOut) } } },
      },
    },
  };
}

export function openApiRoutes(): Router {
  const router = Router();
  let cached: { json: string; html: string } | undefined;
  const doc = () => {
    if (!cached) {
      const spec = buildOpenApi();
      cached = { json: JSON.stringify(spec), html: renderReference(spec) };
    }
    return cached;
  };
  router.get('/openapi.json', (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'public, max-age=300').type('application/json').send(doc().json);
  });
  router.get('/reference', (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'public, max-age=300').type('text/html; charset=utf-8').send(doc().html);
  });
  return router;
}

/** Every route of an Express router (nested routers mounted without a path), as [METHOD, path]. */
export function listRoutes(router: { stack: unknown[] }): [string, string][] {
  const out: [string, string][] = [];
  for (const layer of router.stack as { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }[]) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push([method.toUpperCase(), layer.route.path]);
    } else if (layer.handle?.stack) {
      out.push(...listRoutes(layer.handle as { stack: unknown[] }));
    }
  }
  return out;
}
