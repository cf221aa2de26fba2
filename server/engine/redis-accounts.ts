/**
 * Lua scripts for named accounts in the Redis engine: the account, its name and its key digest
 * change together, and every process is told (PUBLISH) so caches and desk sockets follow.
 */

/**
 * create — KEYS: accounts (id → json), names (name → id), keys (digest → id).
 * ARGV: id, name, accountJson, keyDigest, notice channel, notice json. Returns 1, or 0 when the name is taken.
 */
export const CREATE_ACCOUNT = `
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
`;

/**
 * update — KEYS: accounts, keys. ARGV: id, accountJson, previous digest, new digest ('' = none:
 * revoked), notice channel, notice json.
 */
export const UPDATE_ACCOUNT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[4], ARGV[1]) end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
`;
