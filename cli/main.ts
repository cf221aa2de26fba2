/**
 * `news-ticker`: publish, correct, kill and follow headlines from a terminal or a script.
 * The server URL and API key come from --url/--key or NEWS_TICKER_URL/NEWS_TICKER_KEY.
 * Exit codes: 0 done, 1 the API refused (its problem code on stderr), 2 usage or connection.
 */
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { io } from 'socket.io-client';
import type { Headline, Problem, ServerToClientEvents, ClientToServerEvents, TickerEvent } from '../shared/index.js';
import { forTerminal, type BidiMode } from './bidi.js';

class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail ?? problem.title}`);
  }
}

interface Globals { url: string; key?: string; json?: boolean; bidi: BidiMode }

const program = new Command()
  .name('news-ticker')
  .description('Publish and follow news-ticker headlines')
  .addOption(new Option('--url <url>', 'server URL').env('NEWS_TICKER_URL').default('http://localhost:3000'))
  .addOption(new Option('--key <key>', 'API key').env('NEWS_TICKER_KEY'))
  .option('--json', 'print JSON instead of text')
  .addOption(new Option('--bidi <mode>', 'right-to-left text: isolate (terminals with bidi), visual (terminals without), none').choices(['isolate', 'visual', 'none']).default('isolate'))
  .showHelpAfterError();

const globals = (): Globals => program.opts<Globals>();

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const { url, key } = globals();
  let res: Response;
  try {
    res = await fetch(new URL(`/api/v1${path}`, url), {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    process.stderr.write(`news-ticker: cannot reach ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}\n`);
    process.exit(2);
  }
  const text = await res.text();
  if (!res.ok) {
    const problem = (text ? JSON.parse(text) : { code: 'INTERNAL', title: `HTTP ${res.status}` }) as Problem;
    throw new ApiError(problem);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

const line = (h: Pick<Headline, 'headline' | 'language'>): string => forTerminal(h.headline, h.language, globals().bidi);

function print(value: unknown, text: string): void {
  process.stdout.write(globals().json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

const urgency = (value: string): string | number => {
  if (['flash', 'bulletin', 'urgent', 'routine'].includes(value)) return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new InvalidArgumentError('flash, bulletin, urgent, routine or 1–9');
  return n;
};

interface HeadlineResult { data: { headline: Headline & { status: string; uri: string }; cursor: string | null } }

program.command('publish')
  .description('publish a headline')
  .argument('<text>', 'the headline')
  .requiredOption('-c, --channel <channel>', 'channel, e.g. ar-breaking')
  .option('-u, --urgency <urgency>', 'flash, bulletin, urgent, routine or 1–9', urgency)
  .option('-l, --language <tag>', 'BCP 47 language (guessed from the text when absent)')
  .option('--link <url>', 'link to the full story')
  .option('--section <section>', 'section')
  .option('--by <source>', 'source line')
  .option('--expires-in <minutes>', 'minutes until it expires', (v) => Number(v))
  .option('--idempotency-key <key>', 'retry-safe key (default: random per invocation)')
  .action(async (text: string, o: { channel: string; urgency?: string | number; language?: string; link?: string; section?: string; by?: string; expiresIn?: number; idempotencyKey?: string }) => {
    const body = {
      headline: text,
      ...(o.urgency !== undefined ? { urgency: o.urgency } : {}),
      ...(o.language ? { language: o.language } : {}),
      ...(o.link ? { link: o.link } : {}),
      ...(o.section ? { section: o.section } : {}),
      ...(o.by ? { by: o.by } : {}),
      ...(o.expiresIn ? { expires: new Date(Date.now() + o.expiresIn * 60_000).toISOString() } : {}),
    };
    const result = await call<HeadlineResult>('POST', `/channels/${o.channel}/headlines`, body, { 'idempotency-key': o.idempotencyKey ?? randomBytes(12).toString('hex') });
    const h = result.data.headline;
    print(result.data, `${h.uri}\t${h.status}\tv${h.version}\t${line(h)}`);
  });

program.command('correct')
  .description('correct a headline (a new version)')
  .argument('<id>', 'headline id')
  .argument('[text]', 'the corrected headline')
  .requiredOption('-n, --note <edNote>', 'what changed (editor\'s note)')
  .option('-u, --urgency <urgency>', 'new urgency', urgency)
  .action(async (id: string, text: string | undefined, o: { note: string; urgency?: string | number }) => {
    const body = { edNote: o.note, ...(text ? { headline: text } : {}), ...(o.urgency !== undefined ? { urgency: o.urgency } : {}) };
    const result = await call<HeadlineResult>('PATCH', `/headlines/${id}`, body);
    const h = result.data.headline;
    print(result.data, `${h.uri}\t${h.status}\tv${h.version}\t${line(h)}`);
  });

program.command('kill')
  .description('retract a headline everywhere')
  .argument('<id>', 'headline id')
  .requiredOption('-r, --reason <reason>', 'why')
  .action(async (id: string, o: { reason: string }) => {
    const result = await call<HeadlineResult>('POST', `/headlines/${id}/retract`, { reason: o.reason });
    print(result.data, `${result.data.headline.uri}\t${result.data.headline.status}\tv${result.data.headline.version}`);
  });

program.command('tail')
  .description('follow a channel live (from a cursor, or from its live set)')
  .requiredOption('-c, --channel <channel>', 'channel')
  .option('--cursor <cursor>', 'resume after this cursor (EPOCH:OFFSET)')
  .action(async (o: { channel: string; cursor?: string }) => {
    const socket = io(globals().url, { transports: ['websocket'] }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
    const show = (kind: string, h: Headline | undefined, e?: TickerEvent) => {
      const value = { kind, cursor: e ? `${e.epoch}:${e.offset}` : undefined, uri: h?.uri ?? e?.uri, headline: h };
      print(value, `${kind.padEnd(9)} ${h ? `[${h.urgency}] ${line(h)}` : (e?.uri ?? '')}`);
    };
    let cursor = o.cursor;
    socket.on('channel:snapshot', (s) => {
      cursor = s.cursor;
      for (const h of [...s.headlines].reverse()) show('live', h);
    });
    socket.on('headline:event', (e) => {
      cursor = `${e.epoch}:${e.offset}`;
      show(e.type, e.headline, e);
    });
    socket.on('connect', () => {
      socket.emit('channels:subscribe', { channels: [{ channel: o.channel, ...(cursor ? { cursor } : {}) }] }, (ack) => {
        if ('error' in ack) {
          process.stderr.write(`news-ticker: ${ack.error.code}: ${ack.error.message}\n`);
          process.exit(1);
        }
      });
    });
    socket.on('connect_error', (err) => process.stderr.write(`news-ticker: ${err.message}; retrying\n`));
    const stop = () => {
      socket.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    await new Promise(() => undefined);
  });

const keys = program.command('keys').description('API keys');
keys.command('whoami')
  .description('the key in use: its name and scopes')
  .action(async () => {
    const result = await call<{ data: { name: string; scopes: string[] } }>('GET', '/me');
    print(result.data, `${result.data.name}\t${result.data.scopes.join(' ')}`);
  });
keys.command('generate')
  .description('a new random key and its API_KEYS entry, for an operator to add to the configuration')
  .requiredOption('--name <name>', 'who uses it')
  .option('--scope <scope...>', 'admin or publish:GLOB', ['publish:*'])
  .action((o: { name: string; scope: string[] }) => {
    const entry = { name: o.name, key: `nt_${randomBytes(24).toString('base64url')}`, scopes: o.scope };
    print(entry, JSON.stringify(entry));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ApiError) {
    process.stderr.write(`news-ticker: ${err.message}\n`);
    for (const e of err.problem.errors ?? []) process.stderr.write(`  ${e.field}: ${e.message}\n`);
    process.exit(1);
  }
  throw err;
}
