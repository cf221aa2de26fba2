/**
 * People and keys (admin only): list, create (the key is answered once), rotate a key, revoke.
 * Keys are never logged; the log names the person.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ROLES } from '../../shared/index.js';
import type { AccountDirectory } from '../auth/accounts.js';
import { requireAction, type KeyRing } from '../auth/keys.js';
import { parse } from './problem.js';

const channelGlob = z.string().regex(/^[a-z0-9*][a-z0-9*-]{0,63}$/, 'a channel or a glob such as "ar-*"');

export const personInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(64).regex(/^[^\p{Cc}\p{Cf}]+$/u, 'must be plain text'),
  role: z.enum(ROLES),
  channels: z.array(channelGlob).max(50).default([]),
}).refine((p) => p.role === 'admin' || p.channels.length > 0, { message: 'a reporter or editor needs at least one channel', path: ['channels'] });
export type PersonBody = z.input<typeof personInputSchema>;

const idSchema = z.uuid('not a person id');

export interface PeopleRoutesDeps {
  keys: KeyRing;
  people: AccountDirectory;
  requireJson: (req: Request) => void;
}

export function peopleRoutes(deps: PeopleRoutesDeps): Router {
  const router = Router();
  const { keys, people } = deps;
  const admin = (req: Request) => requireAction(req, 'people', undefined);

  router.get('/people', keys.authenticate(), async (req: Request, res: Response) => {
    admin(req);
    res.setHeader('Cache-Control', 'no-store').json({ data: { people: await people.list() } });
  });

  router.post('/people', keys.authenticate(), async (req: Request, res: Response) => {
    const by = admin(req);
    deps.requireJson(req);
    const input = parse(personInputSchema, req.body);
    const issued = await people.create(input, by.name);
    req.log.info({ person: issued.person.name, role: issued.person.role, channels: issued.person.channels }, 'person created');
    res.status(201).setHeader('Cache-Control', 'no-store').setHeader('Location', `/api/v1/people/${issued.person.id}`).json({ data: issued });
  });

  router.post('/people/:id/rotate', keys.authenticate(), async (req: Request, res: Response) => {
    admin(req);
    const issued = await people.rotate(parse(idSchema, req.params.id, 'id:'));
    req.log.info({ person: issued.person.name }, 'key rotated');
    res.setHeader('Cache-Control', 'no-store').json({ data: issued });
  });

  router.post('/people/:id/revoke', keys.authenticate(), async (req: Request, res: Response) => {
    admin(req);
    const person = await people.revoke(parse(idSchema, req.params.id, 'id:'));
    req.log.info({ person: person.name }, 'key revoked');
    res.setHeader('Cache-Control', 'no-store').json({ data: { person } });
  });

  return router;
}
