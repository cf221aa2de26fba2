/** Bad input gets a clear problem+json with a stable code, changes nothing, and the process stays healthy. */
import { describe, expect, it } from 'vitest';
import { ENGINES, useServer } from './helpers/app.js';

interface Case {
  name: string;
  channel?: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
}

const ok = JSON.stringify({ headline: 'fine' });
const json = (v: unknown) => JSON.stringify(v);

const PUBLISH_CASES: Case[] = [
  { name: 'malformed JSON', body: '{"headline": ', status: 400, code: 'MALFORMED_JSON' },
  { name: 'a JSON array', body: '[1,2]', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'a JSON string', body: '"headline"', status: 400, code: 'MALFORMED_JSON' },
  { name: 'no body at all', body: '', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'form encoding instead of JSON', body: 'headline=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'missing headline', body: json({ urgency: 1 }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'empty headline', body: json({ headline: '   ' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline of only bidi controls', body: json({ headline: '\u202E\u2066\u2069\u202C' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline of only zero-width characters', body: json({ headline: '\u200b\u200c\u200d\u2060' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline of only combining marks and spaces', body: json({ headline: ' \u0301 \u064b ' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline of Hangul fillers and a braille blank', body: json({ headline: '\u3164\u2800' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline with a lone high surrogate', body: json({ headline: 'Breaking \ud800' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline with a lone low surrogate (raw JSON escape)', body: '{"headline":"x\\udc00y"}', status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'source of only zero-width characters', body: json({ headline: 'x', by: '\u200b\u2060' }), status: 400, code: 'VALIDATION_FAILED', field: 'by' },
  { name: 'section with a lone surrogate', body: json({ headline: 'x', section: 'World\udfff' }), status: 400, code: 'VALIDATION_FAILED', field: 'section' },
  { name: 'end tag', body: json({ headline: 'closing </p> only' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'doctype', body: json({ headline: '<!DOCTYPE html> news' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'tag-like "a <b and c> d" (a browser reads a <b> tag)', body: json({ headline: 'a <b and c> d' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline too long', body: json({ headline: 'x'.repeat(281) }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'headline as a number', body: json({ headline: 42 }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'script tag', body: json({ headline: '<script>alert(1)</script>' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'img onerror', body: json({ headline: 'Hi <img src=x onerror=alert(1)>' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'html comment', body: json({ headline: 'a <!-- b --> c' }), status: 400, code: 'VALIDATION_FAILED', field: 'headline' },
  { name: 'javascript: link', body: json({ headline: 'x', link: 'javascript:alert(1)' }), status: 400, code: 'VALIDATION_FAILED', field: 'link' },
  { name: 'data: link', body: json({ headline: 'x', link: 'data:text/html,<b>x</b>' }), status: 400, code: 'VALIDATION_FAILED', field: 'link' },
  { name: 'relative link', body: json({ headline: 'x', link: '/story' }), status: 400, code: 'VALIDATION_FAILED', field: 'link' },
  { name: 'urgency 0', body: json({ headline: 'x', urgency: 0 }), status: 400, code: 'VALIDATION_FAILED', field: 'urgency' },
  { name: 'urgency 10', body: json({ headline: 'x', urgency: 10 }), status: 400, code: 'VALIDATION_FAILED', field: 'urgency' },
  { name: 'unknown urgency preset', body: json({ headline: 'x', urgency: 'panic' }), status: 400, code: 'VALIDATION_FAILED', field: 'urgency' },
  { name: 'pubStatus canceled at publish', body: json({ headline: 'x', pubStatus: 'canceled' }), status: 400, code: 'VALIDATION_FAILED', field: 'pubStatus' },
  { name: 'bad language tag', body: json({ headline: 'x', language: 'arabic!' }), status: 400, code: 'VALIDATION_FAILED', field: 'language' },
  { name: 'expires not a date', body: json({ headline: 'x', expires: 'tomorrow' }), status: 400, code: 'VALIDATION_FAILED', field: 'expires' },
  { name: 'expires in the past', body: json({ headline: 'x', expires: '2001-01-01T00:00:00Z' }), status: 400, code: 'VALIDATION_FAILED', field: 'expires' },
  { name: 'unknown field', body: json({ headline: 'x', html: '<b>' }), status: 400, code: 'VALIDATION_FAILED' },
  { name: 'prototype pollution key', body: '{"headline":"x","__proto__":{"admin":true}}', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'oversized body', body: json({ headline: 'x', edNote: 'y'.repeat(40_000) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'bad channel name (uppercase)', channel: 'AR-Breaking', body: ok, status: 400, code: 'VALIDATION_FAILED', field: 'channel:' },
  { name: 'bad channel name (bidi control)', channel: encodeURIComponent('ar\u202Ebreaking'), body: ok, status: 400, code: 'VALIDATION_FAILED', field: 'channel:' },
  { name: 'bad channel name (too long)', channel: 'a'.repeat(65), body: ok, status: 400, code: 'VALIDATION_FAILED', field: 'channel:' },
  { name: 'bad channel name (script)', channel: encodeURIComponent('<script>'), body: ok, status: 400, code: 'VALIDATION_FAILED', field: 'channel:' },
  { name: 'Idempotency-Key with spaces', body: ok, headers: { 'idempotency-key': 'a b' }, status: 400, code: 'INVALID_HEADER' },
  { name: 'Idempotency-Key too long', body: ok, headers: { 'idempotency-key': 'k'.repeat(201) }, status: 400, code: 'INVALID_HEADER' },
];

describe.each(ENGINES)('bad input on the %s engine', (kind) => {
  const server = useServer(kind);

  it.each(PUBLISH_CASES)('publish with $name → $status $code, nothing published', async (c) => {
    const channel = server.channel('bad');
    const res = await server.api(`/api/v1/channels/${c.channel ?? channel}/headlines`, {
      method: 'POST', body: c.body, headers: { 'content-type': 'application/json', ...c.headers },
    });
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await res.json();
    expect(problem).toMatchObject({ status: c.status, code: c.code, type: expect.stringContaining('https://'), title: expect.any(String) });
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
    if (c.field) expect(problem.errors?.map((e: { field: string }) => e.field).join(',')).toContain(c.field);
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines).toEqual([]);
  });

  it('strips bidi embedding, override and isolate controls but keeps LRM, RLM and ALM', async () => {
    const channel = server.channel();
    const res = await server.publish(channel, { headline: '\u202Bعاجل\u202C: \u2067سو-57\u2069 \u200Fوصل\u200E \u061C3 غارات\u202E' });
    expect(res.status).toBe(201);
    expect((await res.json()).data.headline.headline).toBe('عاجل: سو-57 \u200Fوصل\u200E \u061C3 غارات');
  });

  it.each([
    'Rates: a < b and c > d today',
    'I <3 news',
    'Inflation <= 2% -> markets >> up',
  ])('accepts "<" and ">" that are not markup: %s', async (headline) => {
    const channel = server.channel();
    const res = await server.publish(channel, { headline });
    expect(res.status).toBe(201);
    expect((await res.json()).data.headline.headline).toBe(headline);
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines.map((h: { headline: string }) => h.headline)).toEqual([headline]);
  });

  it('refuses a correction to an invisible or ill-formed headline and keeps the old version', async () => {
    const channel = server.channel();
    const { data } = await (await server.publish(channel, { headline: 'Original' })).json();
    for (const headline of ['\u200b\u200d', 'Fixed \ud800']) {
      const res = await server.api(`/api/v1/headlines/${data.headline.uri}`, { method: 'PATCH', body: json({ headline, edNote: 'fix' }) });
      expect(res.status).toBe(400);
      const problem = await res.json();
      expect(problem).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(problem.errors.map((e: { field: string }) => e.field)).toContain('headline');
    }
    const live = await (await server.api(`/api/v1/channels/${channel}/headlines`, { key: '' })).json();
    expect(live.data.headlines.map((h: { headline: string; version: number }) => [h.headline, h.version])).toEqual([['Original', data.headline.version]]);
  });

  it('normalises to NFC and collapses whitespace', async () => {
    const channel = server.channel();
    const res = await server.publish(channel, { headline: '  Cafe\u0301\n\tnews  ' });
    expect((await res.json()).data.headline.headline).toBe('Caf\u00e9 news');
  });

  it('answers unknown routes, unknown ids, bad ids, bad cursors and bad If-Match with problem+json', async () => {
    const checks: [string, RequestInit, number, string][] = [
      ['/api/v1/nothing', {}, 404, 'NOT_FOUND'],
      ['/api/v1/headlines/AAAAAAAAAAAAAAAA', {}, 404, 'HEADLINE_NOT_FOUND'],
      ['/api/v1/headlines/bad%20id', {}, 400, 'VALIDATION_FAILED'],
      [`/api/v1/channels/${server.channel()}/events?after=garbage`, {}, 400, 'INVALID_CURSOR'],
      [`/api/v1/channels/${server.channel()}/events?limit=0`, {}, 400, 'VALIDATION_FAILED'],
      ['/api/v1/headlines/AAAAAAAAAAAAAAAA/retract', { method: 'POST', body: json({ reason: 'x' }) }, 404, 'HEADLINE_NOT_FOUND'],
    ];
    for (const [path, init, status, code] of checks) {
      const res = await server.api(path, init);
      expect(res.status, path).toBe(status);
      expect((await res.json()).code, path).toBe(code);
    }
    const { data } = await (await server.publish(server.channel(), { headline: 'x' })).json();
    const badMatch = await server.api(`/api/v1/headlines/${data.headline.uri}`, { method: 'PATCH', headers: { 'if-match': 'yesterday' }, body: json({ headline: 'y', edNote: 'z' }) });
    expect(badMatch.status).toBe(400);
    expect((await badMatch.json()).code).toBe('INVALID_HEADER');
    expect((await server.api('/healthz', { key: '' })).status).toBe(200);
  });
});
