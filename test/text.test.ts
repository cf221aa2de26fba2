/** Text rules shared by server and client, and start-up configuration. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.js';
import { directionOf, directionOfLanguage, guessLanguage, isHttpUrl, normalizeText, stripBidiControls } from '../shared/text.js';

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
