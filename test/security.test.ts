/**
 * Security headers per kind of answer, the CORS allowlist for the API and for socket origins,
 * the desk feed's origin rule, and the `/embed?server=` allowlist: all through real HTTP and
 * real sockets.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, useServer } from './helpers/app.js';
import { tryConnect } from './helpers/handshake.js';

const csp = (res: Response): Map<string, string> =>
  new Map((res.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name = '', ...values] = d.split(/\s+/);
    return [name, values.join(' ')];
  }));

describe('security headers (default settings)', () => {
  const server = useServer('memory');
  const get = (path: string) => fetch(server.url + path);

  it('the dashboard: strict CSP, never framed, no referrer', async () => {
    const res = await get('/dashboard');
    expect(res.status).toBe(200);
    const policy = csp(res);
    expect(policy.get('default-src')).toBe("'none'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('style-src')).toBe("'self'");
    expect(policy.get('connect-src')).toBe("'self'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('/dashboard.html')).headers.get('x-frame-options')).toBe('DENY');
  });

  it('a demo page: strict CSP, framed only by this origin', async () => {
    for (const path of ['/ar', '/en', '/']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      const policy = csp(res);
      expect(policy.get('script-src')).toBe("'self'");
      expect(policy.get('object-src')).toBe("'none'");
      expect(policy.get('frame-ancestors')).toBe("'self'");
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('/embed: frameable by any site, scripts and connections only from this origin', async () => {
    const res = await get('/embed?channels=ar-breaking');
    expect(res.status).toBe(200);
    const policy = csp(res);
    expect(policy.has('frame-ancestors')).toBe(false);
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('connect-src')).toBe("'self'");
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('the API: nothing may run or frame it, and every origin may read it by default', async () => {
    const res = await fetch(`${server.url}/api/v1/readers`, { headers: { origin: 'https://any.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('RateLimit');
    expect((await fetch(`${server.url}/healthz`)).headers.get('x-frame-options')).toBe('DENY');
  });

  it('the bundles and public files stay loadable by any site', async () => {
    const res = await get('/embed.js');
    // Module scripts are fetched with CORS.
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // A publisher's page may link the demo stylesheet (a no-cors load, which CORP same-origin would block).
    expect((await get('/demo.css')).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('/embed?server= accepts only this server by default', async () => {
    const other = await get('/embed?channels=ar-breaking&server=https://other.host');
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await other.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', status: 403 });
    expect((await get('/embed.html?server=https://other.host')).status).toBe(403);
    expect((await get('/embed?server=javascript:alert(1)')).status).toBe(403);
    expect((await get('/embed?server=a&server=b')).status).toBe(403);
    expect((await get(`/embed?channels=ar-breaking&server=${encodeURIComponent(server.url)}`)).status).toBe(200);
  });

  it('reader sockets from any origin; desk sockets only from this origin or with no Origin', async () => {
    expect(await tryConnect(server.url, { origin: 'https://any.example' })).toEqual({ connected: true });
    expect(await tryConnect(server.url, { origin: 'https://any.example', key: ADMIN_KEY })).toMatchObject({
      connected: false, message: 'ORIGIN_NOT_ALLOWED', data: { code: 'ORIGIN_NOT_ALLOWED' },
    });
    expect(await tryConnect(server.url, { origin: server.url, key: ADMIN_KEY })).toEqual({ connected: true });
    expect(await tryConnect(server.url, { key: ADMIN_KEY })).toEqual({ connected: true });
  });
});

describe('allowlists (CORS_ORIGINS, EMBED_SERVERS)', () => {
  const NEWS = 'https://news.example';
  const server = useServer('memory', { corsOrigins: [NEWS], embedServers: ['https://ticker-2.example'] });

  it('the API answers CORS only for listed origins', async () => {
    const listed = await fetch(`${server.url}/api/v1/readers`, { headers: { origin: NEWS } });
    expect(listed.headers.get('access-control-allow-origin')).toBe(NEWS);
    expect(listed.headers.get('vary')).toMatch(/Origin/);
    const other = await fetch(`${server.url}/api/v1/readers`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/v1/channels/ar-x/headlines`, {
      method: 'OPTIONS', headers: { origin: NEWS, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(NEWS);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const refused = await fetch(`${server.url}/api/v1/channels/ar-x/headlines`, {
      method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reader sockets only from listed origins (or with no Origin); the desk not even from a listed one', async () => {
    expect(await tryConnect(server.url, { origin: NEWS })).toEqual({ connected: true });
    expect(await tryConnect(server.url)).toEqual({ connected: true });
    expect(await tryConnect(server.url, { origin: 'https://evil.example' })).toMatchObject({ connected: false, data: { code: 'ORIGIN_NOT_ALLOWED' } });
    expect(await tryConnect(server.url, { origin: NEWS, key: ADMIN_KEY })).toMatchObject({ connected: false, data: { code: 'ORIGIN_NOT_ALLOWED' } });
    expect(await tryConnect(server.url, { origin: server.url, key: ADMIN_KEY })).toEqual({ connected: true });
  });

  it('/embed?server= accepts the listed servers, and lets the page connect to them', async () => {
    const res = await fetch(`${server.url}/embed?server=https://ticker-2.example`);
    expect(res.status).toBe(200);
    expect(csp(res).get('connect-src')).toBe("'self' https://ticker-2.example");
    expect((await fetch(`${server.url}/embed?server=https://other.host`)).status).toBe(403);
  });
});
