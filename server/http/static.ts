/** Static files: the built browser bundles (dist/client) and the pages (client/public). */
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

export function staticRoutes(): Router {
  const router = Router();
  router.use(express.static(root('dist/client'), { maxAge: '5m', index: false }));
  router.use(express.static(root('client/public'), { maxAge: '1m', extensions: ['html'] }));
  return router;
}
