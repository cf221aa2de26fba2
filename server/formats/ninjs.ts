/**
 * IPTC ninjs 3.1 in and out. The schema (`ninjs-schema-3.1.json`, IPTC, CC BY 4.0) forbids
 * properties it does not define, so our one extension, the *signal*, travels inside the
 * standard: a `subjects` entry with `rel: "signal"` and a NewsCodes signal URI, e.g.
 * `{ "rel": "signal", "name": "correction", "uri": "http://cv.iptc.org/newscodes/signal/correction" }`.
 * Signals we write: `correction` (a version bump that corrects), `expired`. The section is a
 * `subjects` entry with `rel: "section"`; the link to the full story a `renditions` entry named `web`.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  ninjsUri, publishInputSchema, type DeskHeadline, type FieldError, type Headline, type PubStatus, type PublishInput,
  type TickerEvent,
} from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import { fieldErrors } from '../http/problem.js';
import schema from './ninjs-schema-3.1.json' with { type: 'json' };

export const NINJS_MEDIA_TYPE = 'application/ninjs+json';
export const SIGNAL_BASE = 'http://cv.iptc.org/newscodes/signal/';
export type Signal = 'correction' | 'expired';

/** A ninjs document as JSON (validated against the schema where it crosses the edge). */
export type NinjsDoc = Record<string, unknown> & { uri: string };

let validator: ReturnType<Ajv2020['compile']> | undefined;

/** Validates against the IPTC ninjs 3.1 schema; returns field errors (empty when valid). */
export function validateNinjs(doc: unknown): FieldError[] {
  if (!validator) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // The schema refers to GeoJSON for places; no network at run time, and we use no geometry.
    ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' });
    validator = ajv.compile(schema);
  }
  if (validator(doc)) return [];
  return (validator.errors ?? []).slice(0, 20).map((e) => ({
    field: e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(body)',
    message: `${e.message ?? 'invalid'}${e.keyword === 'unevaluatedProperties' || e.keyword === 'additionalProperties' ? `: ${JSON.stringify(e.params)}` : ''}`,
  }));
}

function signalSubject(signal: Signal) {
  return { rel: 'signal', name: signal, uri: SIGNAL_BASE + signal };
}

/** The ninjs document of a public or desk headline. Desk views add edNote and the desk's pubStatus. */
export function toNinjsDoc(h: Headline | DeskHeadline, signals: Signal[] = []): NinjsDoc {
  const desk = 'status' in h ? h : undefined;
  const subjects = [
    ...(h.section ? [{ name: h.section, rel: 'section' }] : []),
    ...signals.map(signalSubject),
    ...(desk?.corrected && !signals.includes('correction') ? [signalSubject('correction')] : []),
  ];
  return {
    uri: ninjsUri(h.uri),
    type: 'text',
    representationType: 'partial',
    version: String(h.version),
    language: h.language,
    headlines: [{ value: h.headline, role: 'main', contentType: 'text/plain' }],
    urgency: h.urgency,
    pubStatus: h.pubStatus,
    firstCreated: h.firstCreated,
    versionCreated: h.versionCreated,
    ...(h.embargoedUntil ? { embargoedUntil: h.embargoedUntil } : {}),
    ...(h.expires ? { expires: h.expires } : {}),
    ...(h.by ? { by: h.by } : {}),
    ...(h.infoSources ? { infoSources: h.infoSources.map((s) => ({ ...s, role: 'source' })) } : {}),
    ...(subjects.length ? { subjects } : {}),
    ...(h.link ? { renditions: [{ name: 'web', href: h.link, contentType: 'text/html' }] } : {}),
    ...(desk?.edNote ? { edNote: desk.edNote } : {}),
    altIds: [{ role: 'channel', value: h.channel }],
  };
}

/**
 * A log event as ninjs: the headline at that version for showing events; for withheld,
 * retracted and expired a minimal document with the pubStatus (and signal) that removes it.
 */
export function eventToNinjs(e: TickerEvent): NinjsDoc {
  if (e.headline) return toNinjsDoc(e.headline, e.type === 'corrected' ? ['correction'] : []);
  const pubStatus: PubStatus = e.type === 'withheld' ? 'withheld' : e.type === 'retracted' ? 'canceled' : 'usable';
  return {
    uri: ninjsUri(e.uri),
    type: 'text',
    version: String(e.version),
    versionCreated: e.at,
    pubStatus,
    ...(e.type === 'expired' ? { expires: e.at, subjects: [signalSubject('expired')] } : {}),
    altIds: [{ role: 'channel', value: e.channel }],
  };
}

/** A list of headlines as one ninjs composite whose associations are the headlines. */
export function ninjsPackage(uri: string, docs: NinjsDoc[]): NinjsDoc {
  return {
    uri,
    type: 'composite',
    associations: docs.map((d, i) => ({ ...d, name: `item-${i + 1}`, rel: 'item' })),
  };
}

/** What a ninjs document asks for: the fields of a publish and its status, by the source's uri and version. */
export interface NinjsRequest {
  uri: string;
  version?: string;
  pubStatus: PubStatus;
  signals: string[];
  input: PublishInput;
}

interface Incoming {
  uri: string;
  version?: string;
  language?: string;
  headlines?: { value: string; role?: string }[];
  urgency?: number;
  pubStatus?: PubStatus;
  embargoedUntil?: string;
  expires?: string;
  by?: string;
  edNote?: string;
  infoSources?: { name?: string; uri?: string }[];
  subjects?: { name?: string; rel?: string; uri?: string }[];
  renditions?: { name: string; href?: string; contentType?: string }[];
}

/** Looks like ninjs: a `uri` and a `headlines` array, and none of our own body's `headline`. */
export function looksLikeNinjs(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  return typeof b.uri === 'string' && Array.isArray(b.headlines) && !('headline' in b);
}

/** ninjs field names for our input fields, so errors point at what the sender wrote. */
const NINJS_FIELD: Record<string, string> = {
  headline: 'headlines.0.value', section: 'subjects', link: 'renditions', infoSources: 'infoSources',
};

/** Validates against the schema, then maps to our publish input (our text rules and limits apply). */
export function fromNinjs(body: unknown): NinjsRequest {
  const schemaErrors = validateNinjs(body);
  if (schemaErrors.length) throw new AppError('VALIDATION_FAILED', 'the body is not a valid ninjs 3.1 document', schemaErrors);
  const doc = body as Incoming;
  const headline = doc.headlines?.find((h) => h.role === 'main') ?? doc.headlines?.[0];
  if (!headline) throw new AppError('VALIDATION_FAILED', 'a ninjs headline needs headlines[0].value', [{ field: 'headlines', message: 'must have one headline' }]);
  const section = doc.subjects?.find((s) => s.rel === 'section')?.name;
  const link = doc.renditions?.find((r) => r.href && /^https?:/i.test(r.href) && (r.name === 'web' || r.contentType === 'text/html'))?.href;
  const infoSources = doc.infoSources?.filter((s) => s.name).map((s) => ({ name: s.name!, ...(s.uri ? { uri: s.uri } : {}) }));
  const candidate = {
    headline: headline.value,
    ...(doc.language ? { language: doc.language } : {}),
    ...(doc.urgency !== undefined ? { urgency: doc.urgency } : {}),
    ...(doc.by ? { by: doc.by } : {}),
    ...(infoSources?.length ? { infoSources } : {}),
    ...(section ? { section } : {}),
    ...(link ? { link } : {}),
    ...(doc.edNote ? { edNote: doc.edNote } : {}),
    ...(doc.expires ? { expires: doc.expires } : {}),
    ...(doc.embargoedUntil ? { embargoedUntil: doc.embargoedUntil } : {}),
  };
  const parsed = publishInputSchema.safeParse(candidate);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error).map((e) => {
      const [head, ...rest] = e.field.split('.');
      return { ...e, field: [NINJS_FIELD[head!] ?? head, ...rest].join('.') };
    });
    throw new AppError('VALIDATION_FAILED', 'the ninjs document breaks a headline rule', errors);
  }
  return {
    uri: doc.uri,
    ...(doc.version !== undefined ? { version: doc.version } : {}),
    pubStatus: doc.pubStatus ?? 'usable',
    signals: (doc.subjects ?? []).filter((s) => s.rel === 'signal').map((s) => s.name ?? s.uri?.slice(SIGNAL_BASE.length) ?? ''),
    input: parsed.data,
  };
}
