/**
 * Named accounts (people) stored in the engine: create, rotate a key, revoke. Keys are random,
 * shown once, and stored as SHA-256 digests only. Lookups are cached for at most 1 s per process
 * and the cache is dropped whenever any process changes an account (the engine's `account`
 * notice), so a rotation or revocation is in force everywhere within 1 s.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../../shared/scopes.js';
import type { IssuedKey, Person, Role } from '../../shared/roles.js';
import { AppError } from '../domain/errors.js';
import type { Account, Engine } from '../engine/types.js';

export interface AccountDirectoryOptions {
  engine: Engine;
  /** How long a key lookup is trusted without a notice. @default 1000 */
  cacheMs?: number;
  /** Names taken by API_KEYS entries: people cannot take them. */
  reservedNames?: string[];
  /** @default () => new Date() */
  clock?: () => Date;
}

export const digestHex = (key: string): string => createHash('sha256').update(key).digest('hex');

/** A new key: `ntk_` and 32 random bytes, URL-safe. */
export const newKey = (): string => `ntk_${randomBytes(32).toString('base64url')}`;

export function personOf(account: Account): Person {
  const { keyDigest: _d, ...person } = account;
  return person;
}

export function principalOf(account: Account): Principal {
  const scopes = account.role === 'admin' ? ['admin'] : account.channels.map((c) => `publish:${c}`);
  return { id: account.id, name: account.name, role: account.role, scopes };
}

export class AccountDirectory {
  private readonly engine: Engine;
  private readonly cacheMs: number;
  private readonly reserved: Set<string>;
  private readonly clock: () => Date;
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();
  private readonly listeners = new Set<() => void>();

  constructor(options: AccountDirectoryOptions) {
    this.engine = options.engine;
    this.cacheMs = options.cacheMs ?? 1000;
    this.reserved = new Set(options.reservedNames ?? []);
    this.clock = options.clock ?? (() => new Date());
    const changed = () => {
      this.cache.clear();
      for (const listener of this.listeners) listener();
    };
    this.engine.on('account', changed);
    this.engine.on('resync', changed);
  }

  /** Called after any account changed anywhere (and after a fan-out reconnect). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The principal of a presented key, if it belongs to an account that is not revoked. */
  async find(presented: string): Promise<Principal | undefined> {
    const digest = digestHex(presented);
    const hit = this.cache.get(digest);
    if (hit && hit.until > Date.now()) return hit.principal;
    const account = await this.engine.accountByDigest(digest);
    const principal = account && !account.revokedAt && account.keyDigest === digest ? principalOf(account) : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(digest, { principal, until: Date.now() + this.cacheMs });
    return principal;
  }

  async list(): Promise<Person[]> {
    return (await this.engine.listAccounts()).map(personOf);
  }

  async create(input: { name: string; role: Role; channels: string[] }, by: string): Promise<IssuedKey> {
    if (this.reserved.has(input.name)) throw new AppError('PERSON_NAME_TAKEN', `"${input.name}" is the name of a configured key`);
    const key = newKey();
    const at = this.clock().toISOString();
    const account: Account = {
      id: randomUUID(), name: input.name, role: input.role, channels: input.role === 'admin' ? ['*'] : input.channels,
      createdAt: at, createdBy: by, keyIssuedAt: at, keyDigest: digestHex(key),
    };
    if (!(await this.engine.createAccount(account))) throw new AppError('PERSON_NAME_TAKEN', `a person named "${input.name}" exists`);
    return { person: personOf(account), key };
  }

  /** A new key for the person; the old one stops working. Also reinstates a revoked person. */
  async rotate(id: string): Promise<IssuedKey> {
    const account = await this.get(id);
    const key = newKey();
    const next: Account = { ...account, keyDigest: digestHex(key), keyIssuedAt: this.clock().toISOString() };
    delete next.revokedAt;
    await this.engine.updateAccount(next, account.keyDigest);
    return { person: personOf(next), key };
  }

  async revoke(id: string): Promise<Person> {
    const account = await this.get(id);
    if (account.revokedAt) return personOf(account);
    const next: Account = { ...account, revokedAt: this.clock().toISOString() };
    await this.engine.updateAccount(next, account.keyDigest);
    return personOf(next);
  }

  private async get(id: string): Promise<Account> {
    const account = await this.engine.getAccount(id);
    if (!account) throw new AppError('PERSON_NOT_FOUND');
    return account;
  }
}
