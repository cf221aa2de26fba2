/** Process entry: read config, build the app, listen, handle signals. Nothing else. */
import { randomBytes } from 'node:crypto';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { publishDemoHeadlines } from './demo.js';
import { createLogger } from './logger.js';
import { installProcessGuard } from './ops/process-guard.js';

/** A start-up problem the operator must fix: one clear line naming the setting, no stack, exit code. */
function refuseToStart(err: unknown): never {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`news-ticker: ${err.message}\n`);
  process.exit(err.exitCode); // 78 EX_CONFIG, 69 EX_UNAVAILABLE
}

function configFromEnv(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    return refuseToStart(err);
  }
}

const config = configFromEnv();
const logger = createLogger(config);

// Development only (production refuses to start without API_KEYS, in loadConfig): a key for this
// run, and demo headlines on the memory engine.
const demo = !config.production && config.apiKeys.length === 0 && !config.redisUrl;
if (!config.production && config.apiKeys.length === 0) {
  const key = `dev_${randomBytes(18).toString('base64url')}`;
  config.apiKeys = [{ name: 'development', key, scopes: ['admin'] }];
  // Printed once, to the terminal only; never through the logger.
  process.stdout.write(
    `\n  No API_KEYS set: a development key with the admin scope was created for this run:\n\n    ${key}\n\n` +
      `  Publish with: curl -H "Authorization: Bearer ${key}" ...\n\n`,
  );
}

const app = await createApp({ config, logger }).catch(refuseToStart);
if (demo) await publishDemoHeadlines(app.service, logger);
const port = await app.listen();
logger.info({ port, host: config.host, engine: app.engine.kind }, `news-ticker listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);

let stopping = false;
async function stop(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: draining sockets and in-flight requests');
  const force = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, config.shutdownGraceMs + 5_000);
  force.unref();
  await app.close();
  logger.info('stopped');
  logger.flush?.();
  process.exit(code);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// Once serving, errors that escape every handler: see process-guard.ts for what the process
// survives. Before this point (start-up) any error ends the process, as it should.
installProcessGuard({ logger, stop: (reason, code) => void stop(reason, code) });
