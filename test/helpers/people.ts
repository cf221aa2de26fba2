/** Named accounts for tests: created through the people API with the configured admin key. */
import type { IssuedKey, Role } from '../../shared/roles.js';
import { ADMIN_KEY } from './app.js';

export async function createPerson(url: string, body: { name: string; role: Role; channels?: string[] }, adminKey = ADMIN_KEY): Promise<IssuedKey> {
  const res = await fetch(`${url}/api/v1/people`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create person: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: IssuedKey }).data;
}

export async function peopleCall(url: string, path: string, adminKey = ADMIN_KEY): Promise<Response> {
  return fetch(`${url}/api/v1/people${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
}
