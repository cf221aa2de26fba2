/**
 * The composition root: builds the engine, the service, the hub, the gateway and the HTTP app
 * from a validated Config. main.ts only reads config, calls createApp, listens and handles
 * signals; tests call the same factory on port 0.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { AppError } from './domain/errors.js';
import { HeadlineService } from './domain/service.js';
import { createEngine } from './engine/index.js';
import type { Engine } from './engine/types.js';
import { KeyRing, isAdmin } from './auth/keys.js';
import { AccountDirectory } from './auth/accounts.js';
import { watchDeskSockets } from './auth/desk-sockets.js';
import { auditRoutes } from './http/audit.js';
import { peopleRoutes } from './http/people.js';
import { channelRoutes } from './http/channels.js';
import { headlineRoutes } from './http/headlines.js';
import { errorHandler, notFound, sendProblem } from './http/problem.js';
import { requestLog } from './http/request-log.js';
import { apiCors, apiHeaders, pageSecurity } from './http/security.js';
import { staticRoutes } from './http/static.js';
import { apiRateLimits } from './limits/http.js';
import { createLimiters, type Limiters } from './limits/limiter.js';
import { streamRoutes, type StreamService } from './http/stream.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { startScheduler } from './ops/scheduler.js';
import { Presence } from './presence/presence.js';
import { ChannelHub } from './realtime/hub.js';
import { createGateway, type Gateway } from './realtime/gateway.js';
import { handshakeGuard } from './realtime/handshake.js';
import { isNinjsRequest, ninjsPublishHandler } from './formats/ninjs-http.js';
import { SourcedPublisher } from './formats/sourced.js';
import { feedRoutes } from './feeds/out.js';
import { FeedIngest, startFeedPoller } from './feeds/ingest.js';
import { feedAdminRoutes } from './feeds/routes.js';
import { listRoutes, openApiRoutes } from './http/openapi.js';
import { jsonSchemaRoutes } from './http/json-schema.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { webhookRoutes } from './webhooks/routes.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** An engine built by the caller; by default one is built from config. */
  engine?: Engine;
}

export interface App {
  config: Config;
  httpServer: HttpServer;
  engine: Engine;
  service: HeadlineService;
  hub: ChannelHub;
  gateway: Gateway;
  /** The SSE streams (http/stream.ts). */
  streams: StreamService;
  metrics: Metrics;
  limits: Limiters;
  /** Every route of the /api/v1 router, as [METHOD, path] (the OpenAPI test checks each is described). */
  apiRoutes: [string, string][];
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port?: number, host?: string): Promise<number>;
  /** Graceful stop: refuse new work, tell sockets to go elsewhere, finish in-flight requests. */
  close(): Promise<void>;
}

const READER_REPORT_MS = 2_000;

function withHeadlines(counts: Record<string, number>, has: (channel: string) => boolean): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([channel]) => has(channel)));
}

function hasBody(req: Request): boolean {
  return req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger } = deps;
  const processId = randomUUID();
  let hubRef: ChannelHub | undefined;
  let presenceRef: Presence | undefined;
  // Public outputs (metric labels, /readers) name only channels that have had a headline.
  const metrics = createMetrics(
    () => withHeadlines(presenceRef?.localCounts() ?? {}, (c) => hubRef?.hasHeadlines(c) ?? false),
    () => hubRef?.size ?? 0,
  );
  const engine = deps.engine ?? (await createEngine(config, logger, metrics));
  const limits = await createLimiters(config, logger);
  const people = new AccountDirectory({ engine, reservedNames: config.apiKeys.map((k) => k.name) });
  const keys = new KeyRing(config.apiKeys, people);
  // Readers on this process (sockets and SSE streams) and over every process, from memory.
  const presence = new Presence({ engine, processId, logger, reportEveryMs: READER_REPORT_MS });
  presenceRef = presence;
  const service = new HeadlineService({ engine, logger, readersOf: (channel) => presence.readersOf(channel) });
  const hub = new ChannelHub({ engine, logger, idleMs: config.hubIdleMs });
  hubRef = hub;
  hub.on('event', (e) => {
    metrics.events.inc({ type: e.type });
    metrics.publishToEmit.observe(Math.max(0, Date.now() - Date.parse(e.at)) / 1000);
  });
  hub.on('gapRepaired', (_channel, n) => metrics.gapsRepaired.inc(n));

  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For counts only from the proxies TRUST_PROXY names (limits are per address).
  app.set('trust proxy', config.trustProxy);
  app.use(requestLog(logger));
  app.use((req, res, next) => {
    if (draining) {
      res.setHeader('Connection', 'close');
      return sendProblem(req, res, 'SHUTTING_DOWN');
    }
    next();
  });

  app.use(['/api', '/healthz', '/readyz', '/metrics'], apiHeaders);
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (req, res) => {
    try {
      await engine.ping();
      res.json({ status: 'ready', engine: engine.kind });
    } catch {
      sendProblem(req, res, 'ENGINE_UNAVAILABLE', `the ${engine.kind} engine is not reachable`);
    }
  });
  app.get('/metrics', async (req, res) => {
    if (config.metricsRequireKey && keys.size > 0) {
      const principal = await keys.fromRequest(req);
      if (!principal) throw new AppError('UNAUTHENTICATED', 'metrics need an admin key');
      if (!isAdmin(principal)) throw new AppError('FORBIDDEN', 'metrics need an admin key');
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const api = express.Router();
  api.use(apiCors(config));
  api.use(apiRateLimits(limits, keys));
  api.use(express.json({ limit: config.bodyLimit, strict: true, type: ['application/json', 'application/*+json'] }));
  const requireJson = (req: Request): void => {
    if (req.body === undefined && hasBody(req)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  };
  api.get('/me', keys.authenticate(), (req, res) => void res.json({ data: req.principal }));
  api.get('/readers', async (_req, res) => {
    const counts = presence.clusterCounts();
    if (!counts) throw new AppError('ENGINE_UNAVAILABLE', 'reader counts could not be read');
    const known = new Set(await engine.channels());
    res.json({ data: { channels: withHeadlines(counts, (c) => known.has(c)) } });
  });
  // SSE streams (server/http/stream.ts).
  const streams: StreamService = streamRoutes({ hub, logger, heartbeatMs: config.streamHeartbeatMs, readers: presence });
  api.use(streams.router);
  const cache = { maxAgeS: config.publicMaxAgeS, staleS: config.publicStaleS };
  api.use(peopleRoutes({ keys, people, requireJson }));
  api.use(auditRoutes({ service, engine, keys }));
  const sourced = new SourcedPublisher({ engine, service });
  const ninjs = { accepts: isNinjsRequest, publish: ninjsPublishHandler({ engine, sourced }) };
  api.use(channelRoutes({ service, engine, hub, keys, requireJson, ninjs, cache }));
  api.use(feedRoutes({ engine }));
  const feedIngest = new FeedIngest({ engine, sourced, logger });
  api.use(feedAdminRoutes({ ingest: feedIngest, keys, requireJson }));
  const webhooks = new WebhookDispatcher({
    engine, logger, processId, allowPrivate: async () => (await feedIngest.settings()).allowPrivateAddresses,
    ...(config.webhookRetryMs ? { retryMs: config.webhookRetryMs } : {}),
    ...(config.webhookTimeoutMs ? { timeoutMs: config.webhookTimeoutMs } : {}),
  });
  api.use(webhookRoutes({ webhooks, keys, requireJson }));
  api.use(openApiRoutes());
  api.use(jsonSchemaRoutes(cache));
  api.use(headlineRoutes({ service, keys, requireJson, cache }));
  api.use(notFound);
  const apiRoutes = listRoutes(api);
  app.use('/api/v1', api);
  app.use(pageSecurity(config));
  app.use(staticRoutes());
  app.use(notFound);
  app.use(errorHandler);

  const httpServer = createServer(app);
  // Outlive clients' and load balancers' idle timeouts, so the server is never the side that
  // closes a kept-alive connection just as a publisher reuses it (a reset under load).
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const gw: Gateway = createGateway({
    httpServer, hub, logger, corsOrigin: config.corsOrigins, readers: presence,
    fanoutBatchMs: config.fanoutBatchMs, slowReaderQueue: config.slowReaderQueue, onSlowReader: () => metrics.slowReaders.inc(),
    desk: { keys, engine, presence },
  });
  gw.io.use(handshakeGuard({ limiter: limits.socket, trust: () => app.get('trust proxy fn'), corsOrigins: config.corsOrigins, logger }));
  const stopDeskWatch = watchDeskSockets(gw.io, keys, people, logger);
  const stopScheduler = startScheduler(service, config.dueIntervalMs, logger);
  await presence.start();
  const stopFeeds = startFeedPoller(feedIngest, engine, processId, logger);

  return {
    config, httpServer, engine, service, hub, gateway: gw, streams, metrics, limits, apiRoutes,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve((httpServer.address() as AddressInfo).port);
        });
      });
    },
    async close() {
      if (draining) return;
      draining = true;
      stopScheduler();
      stopFeeds();
      webhooks.stop();
      stopDeskWatch();
      await presence.stop();
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      streams.drain(1000);
      await gw.drain(1000);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      httpServer.closeAllConnections();
      hub.close();
      await limits.close();
      if (!deps.engine) await engine.close();
    },
  };
}
