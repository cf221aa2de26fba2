/** Static files: the built browser bundles (dist/client) and the pages (client/public). */
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

export function staticRoutes(): Router {
  const router = Router();
  // The bundles are embedded by other sites (<script type="module" src="https://HOST/embed.js">):
  // module scripts are fetched with CORS, so they must say any origin may load them.
  router.use(express.static(root('dist/client'), {
    maxAge: '5m',
    index: false,
    setHeaders: (res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    },
  }));
  router.use(express.static(root('client/public'), { maxAge: '1m', extensions: ['html'] }));
  return router;
}
