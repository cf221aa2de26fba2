/** Text rules shared by server and client, and start-up configuration. */
import { describe, expect, it } from 'vitest';
import { prng } from './helpers/prng.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { LIMITS } from '../shared/headline.js';
import { text } from '../shared/schemas.js';
import {
  BIDI_CONTROLS, directionOf, directionOfLanguage, guessLanguage, hasLoneSurrogate, hasVisibleCharacter, isHttpUrl, looksLikeMarkup, normalizeText, stripBidiControls,
} from '../shared/text.js';

describe('text rules', () => {
  it('strips embedding, override and isolate controls and keeps LRM, RLM and ALM', () => {
    const all = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069';
    expect(stripBidiControls(`a${all}b\u200E\u200F\u061C`)).toBe('ab\u200E\u200F\u061C');
  });

  it('normalises to NFC, removes control characters and collapses whitespace', () => {
    expect(normalizeText(' e\u0301\u0000\u0007 \n\t x\uFEFF ')).toBe('\u00e9 x');
  });

  it('derives direction from the language, its script subtag, or the first strong character', () => {
    expect(directionOfLanguage('ar')).toBe('rtl');
    expect(directionOfLanguage('ar-Latn')).toBe('ltr');
    expect(directionOfLanguage('en-GB')).toBe('ltr');
    expect(directionOfLanguage('fa-IR')).toBe('rtl');
    expect(directionOfLanguage(undefined)).toBeUndefined();
    expect(directionOf(undefined, '3 غارات on Hama')).toBe('rtl');
    expect(directionOf(undefined, 'Su-57 سو')).toBe('ltr');
    expect(directionOf(undefined, '2024')).toBe('ltr');
  });

  it('guesses the language from the script', () => {
    expect(guessLanguage('إعلام سوري: الطيران الإسرائيلي يستهدف مطار حماة العسكري بـ 3 غارات')).toBe('ar');
    expect(guessLanguage('Syrian media: Israeli jets strike Hama airbase')).toBe('en');
  });

  it('accepts only absolute http(s) links', () => {
    expect(isHttpUrl('https://example.com/a')).toBe(true);
    expect(isHttpUrl('http://example.com')).toBe(true);
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', '/relative', 'ftp://x', '']) expect(isHttpUrl(bad)).toBe(false);
  });
});

const headline = text(LIMITS.headline, { plain: true });
const other = text(LIMITS.by);
/** The first issue message, or the accepted (normalised) value. */
const check = (schema: typeof headline, input: string): { ok: true; value: string } | { ok: false; message: string } => {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: r.error.issues[0]!.message };
};

const NO_VISIBLE = /no visible character/;
const SURROGATE = /lone surrogate/;
const MARKUP = /plain text, not HTML markup/;
const EMPTY = /^must not be empty$/;

describe('text field rules', () => {
  it.each([
    // [name, input, expected message or accepted value]
    ['zero-width space, joiners and word joiner only', '\u200b\u200c\u200d\u2060', NO_VISIBLE],
    ['zero-width characters around spaces', ' \u200b \u2060 ', NO_VISIBLE],
    ['soft hyphen, CGJ, variation selectors', '\u00ad\u034f\ufe0f\ufe0e', NO_VISIBLE],
    ['Hangul fillers', '\u3164\uffa0\u115f', NO_VISIBLE],
    ['tag characters', '\u{E0041}\u{E0042}\u{E007F}', NO_VISIBLE],
    ['combining marks only', '\u0301\u0308\u064b', NO_VISIBLE],
    ['braille blank', '\u2800\u2800', NO_VISIBLE],
    ['ideographic and other spaces (collapsed, then empty)', '\u3000\u2003\u00a0', EMPTY],
    ['only bidi controls (stripped, then empty)', '\u202e\u2066\u2069', EMPTY],
    ['ALM and RLM only (kept, but invisible)', '\u061c\u200f', NO_VISIBLE],
    ['private use only', '\ue000\uf8ff', NO_VISIBLE],
    ['lone high surrogate', '\ud800', SURROGATE],
    ['lone low surrogate in a sentence', 'Breaking \udc00 news', SURROGATE],
    ['reversed surrogate pair', '\ude00\ud83d', SURROGATE],
    ['a start tag', 'Hi <b>there</b>', MARKUP],
    ['an end tag alone', 'closing </p> only', MARKUP],
    ['an end tag with a space (a bogus comment)', 'a </ p> b', MARKUP],
    ['img with attributes', 'Hi <img src=x onerror=alert(1)>', MARKUP],
    ['uppercase script', '<SCRIPT>alert(1)</SCRIPT>', MARKUP],
    ['a comment', 'a <!-- b --> c', MARKUP],
    ['a doctype', '<!doctype html> x', MARKUP],
    ['a processing instruction', '<?xml version="1.0"?> x', MARKUP],
    ['a tag without its ">" (the parser swallows the rest)', 'Team A <beats Team B', MARKUP],
    ['"a <b and c> d": a <b> tag with attributes to a browser', 'a <b and c> d', MARKUP],
    ['comparisons with spaces', 'Rates: a < b and c > d today', 'Rates: a < b and c > d today'],
    ['heart', 'I <3 news', 'I <3 news'],
    ['arrows and less-or-equal', 'GDP <= 2% -> <-- >>', 'GDP <= 2% -> <-- >>'],
    ['a trailing "<"', 'x <', 'x <'],
    ['escaped entities are text', '&lt;b&gt; is not a tag', '&lt;b&gt; is not a tag'],
    ['fullwidth brackets', '\uff1cb\uff1e', '\uff1cb\uff1e'],
    ['a visible letter among zero-width characters', '\u200bA\u200d', '\u200bA\u200d'],
    ['emoji with a variation selector and ZWJ sequence', '\u2764\ufe0f \u{1F469}\u200d\u{1F4BB}', '\u2764\ufe0f \u{1F469}\u200d\u{1F4BB}'],
    ['a valid surrogate pair', 'Flash \u{1F4F0}', 'Flash \u{1F4F0}'],
    ['Arabic with tatweel and ALM kept', 'عاجل\u061c: 3 غارات ـ', 'عاجل\u061c: 3 غارات ـ'],
    ['Persian ZWNJ kept', 'می\u200cخواهم', 'می\u200cخواهم'],
    ['a control between a letter and its mark composes after removal', 'e\u202a\u0301', '\u00e9'],
  ] as [string, string, RegExp | string][])('headline: %s', (_name, input, expected) => {
    const result = check(headline, input);
    if (typeof expected === 'string') expect(result).toEqual({ ok: true, value: expected });
    else {
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.message).toMatch(expected);
    }
  });

  it('applies the visibility and surrogate rules to every text field, markup only to the headline', () => {
    expect(check(other, '\u200b\u200c')).toMatchObject({ ok: false, message: expect.stringMatching(NO_VISIBLE) });
    expect(check(other, 'AP\ud800')).toMatchObject({ ok: false, message: expect.stringMatching(SURROGATE) });
    expect(check(other, 'Reuters <Beirut>')).toEqual({ ok: true, value: 'Reuters <Beirut>' });
  });

  it('exposes each rule on its own', () => {
    expect(hasLoneSurrogate('\ud83d\ude00')).toBe(false);
    expect(hasLoneSurrogate('\ud83d')).toBe(true);
    expect(hasVisibleCharacter('\u200b\u0301 ')).toBe(false);
    expect(hasVisibleCharacter('\u0661')).toBe(true);
    expect(looksLikeMarkup('a < b')).toBe(false);
    expect(looksLikeMarkup('a <b')).toBe(true);
  });
});

/** Code points that have tripped text handling somewhere, plus ordinary letters and markup pieces. */
const POOL = [
  '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c',
  '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u034f', '\ufe0f', '\u180e', '\u3164', '\u2800', '\u{E0020}',
  '\ud800', '\udbff', '\udc00', '\udfff', '\u{1F4F0}', '\u0301', '\u064b', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085',
  '\t', '\n', '\r', ' ', '\u00a0', '\u2028', '\u3000', '<', '>', '/', '!', '?', '-', 'b', 'a', 'e', 'ع', 'ـ', '3', '\ue000',
];

describe('text field rules, generated cases', () => {
  it('every generated string is refused with a known message, or accepted clean', () => {
    const random = prng(0x5eed);
    const known = [NO_VISIBLE, SURROGATE, MARKUP, EMPTY, /at most 280/];
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 12);
      let input = '';
      for (let j = 0; j < length; j++) input += POOL[Math.floor(random() * POOL.length)];
      const result = check(headline, input);
      const where = `case ${i}: ${JSON.stringify(input)}`;
      if (!result.ok) {
        refused++;
        expect(known.some((m) => m.test(result.message)), where).toBe(true);
        continue;
      }
      accepted++;
      const v = result.value;
      expect(v.match(BIDI_CONTROLS), where).toBeNull();
      expect(hasLoneSurrogate(v), where).toBe(false);
      expect(hasVisibleCharacter(v), where).toBe(true);
      expect(looksLikeMarkup(v), where).toBe(false);
      expect(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(v), where).toBe(false);
      expect(v, where).toBe(v.normalize('NFC'));
      expect(normalizeText(v), where).toBe(v); // idempotent: a stored headline passes again unchanged
      expect(check(headline, v), where).toEqual({ ok: true, value: v });
    }
    // The corpus exercises both sides, so neither branch is vacuous.
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });
});

describe('configuration', () => {
  it('uses the defaults with an empty environment', () => {
    expect(loadConfig({})).toMatchObject({ port: 3000, redisPrefix: 'nt', apiKeys: [], logLevel: 'info', corsOrigins: '*' });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080', REDIS_URL: 'redis://127.0.0.1:6380', API_KEYS: '[{"name":"cms","key":"0123456789abcdef","scopes":["publish:ar-*"]}]',
      LOG_LEVEL: 'debug', CORS_ORIGINS: 'https://a.example, https://b.example', DUE_INTERVAL_MS: '100',
    });
    expect(config).toMatchObject({
      port: 8080, redisUrl: 'redis://127.0.0.1:6380', logLevel: 'debug', corsOrigins: ['https://a.example', 'https://b.example'], dueIntervalMs: 100,
      apiKeys: [{ name: 'cms', key: '0123456789abcdef', scopes: ['publish:ar-*'] }],
    });
  });

  it('stops with a message naming each bad variable', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379', API_KEYS: '[{"name":"x","key":"short","scopes":[]}]', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const message = (err as Error).message;
      for (const name of ['PORT', 'REDIS_URL', 'API_KEYS', 'LOG_LEVEL']) expect(message).toContain(name);
      expect(message).not.toContain('short');
    }
    expect(() => loadConfig({ API_KEYS: 'not json' })).toThrow(/API_KEYS: must be a JSON array/);
  });
});
