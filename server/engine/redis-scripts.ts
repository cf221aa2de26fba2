/**
 * Lua scripts of the Redis engine. Each runs atomically in Redis, so a change is stored,
 * logged and fanned out together or not at all.
 */
import { FANOUT_LUA_PREFIX } from './fanout.js';

/**
 * commit — KEYS: doc, live, log, seq, epoch, due, idem, desk, versions, channels, hidden,
 * headline audit, channel audit.
 * ARGV: expectVersion ('' = must not exist), newVersion, docJson, liveOp (set|delete|keep),
 * publicJson, eventPartial ('' = no event; a JSON object without epoch/offset), uri,
 * expire ('' leave | 'x' clear | ms), release (same), claim member (''), idem fingerprint (''),
 * idem ttl ms, events channel, desk channel, log maxlen, new epoch candidate, desk score,
 * versions kept, channel name, hide ('1' = earlier events of this uri lose their text in reads),
 * audit entry JSON ('' = none; appended to both audit lists with the change).
 * Returns {'ok', epoch, offset} | {'conflict', version} | {'claimed'} | {'replay', f, doc, cursor}.
 */
export const COMMIT = `
if ARGV[11] ~= '' then
  local hit = redis.call('HMGET', KEYS[7], 'f', 'doc', 'cursor')
  if hit[1] then return {'replay', hit[1], hit[2], hit[3] or ''} end
end
local v = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '' then
  if v then return {'conflict', v} end
elseif v ~= ARGV[1] then
  return {'conflict', v or ''}
end
if ARGV[10] ~= '' and redis.call('ZREM', KEYS[6], ARGV[10]) == 0 then return {'claimed'} end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3])
redis.call('RPUSH', KEYS[9], ARGV[3])
redis.call('LTRIM', KEYS[9], -tonumber(ARGV[18]), -1)
redis.call('SADD', KEYS[10], ARGV[19])
if ARGV[20] == '1' then redis.call('HSET', KEYS[11], ARGV[7], ARGV[2]) end
if ARGV[21] ~= '' then
  redis.call('RPUSH', KEYS[12], ARGV[21])
  redis.call('RPUSH', KEYS[13], ARGV[21])
end
if ARGV[4] == 'set' then
  redis.call('HSET', KEYS[2], ARGV[7], ARGV[5])
elseif ARGV[4] == 'delete' then
  redis.call('HDEL', KEYS[2], ARGV[7])
end
local kinds = {'expire', 'release'}
for i, kind in ipairs(kinds) do
  local at = ARGV[7 + i]
  if at == 'x' then
    redis.call('ZREM', KEYS[6], kind .. '|' .. ARGV[7])
  elseif at ~= '' then
    redis.call('ZADD', KEYS[6], at, kind .. '|' .. ARGV[7])
  end
end
redis.call('ZADD', KEYS[8], ARGV[17], ARGV[7])
if redis.call('ZCARD', KEYS[8]) > 200 then redis.call('ZREMRANGEBYRANK', KEYS[8], 0, -201) end
local epoch, offset = '', 0
if ARGV[6] ~= '' then
  epoch = redis.call('GET', KEYS[5])
  if not epoch then
    epoch = ARGV[16]
    redis.call('SET', KEYS[5], epoch)
    redis.call('DEL', KEYS[4], KEYS[3])
  end
  offset = redis.call('INCR', KEYS[4])
  local event = '{"epoch":"' .. epoch .. '","offset":' .. offset .. ',' .. string.sub(ARGV[6], 2)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[15], '0-' .. offset, 'e', event)
  redis.call('PUBLISH', ARGV[13], '${FANOUT_LUA_PREFIX.event}' .. event .. '}')
end
if ARGV[11] ~= '' then
  local cursor = ''
  if ARGV[6] ~= '' then cursor = epoch .. ':' .. offset end
  redis.call('HSET', KEYS[7], 'f', ARGV[11], 'doc', ARGV[3], 'cursor', cursor)
  redis.call('PEXPIRE', KEYS[7], ARGV[12])
end
redis.call('PUBLISH', ARGV[14], '${FANOUT_LUA_PREFIX.desk}' .. ARGV[3] .. '}')
return {'ok', epoch, tostring(offset)}
`;

/**
 * snapshot — KEYS: epoch, seq, live, log. ARGV: new epoch candidate.
 * Returns {epoch, offset, [publicJson...]}, read together. A channel that never had a headline
 * returns {'', '0', {}} and writes nothing (its epoch is made by its first COMMIT); only a live
 * set left without its epoch (a partial loss) gets a new epoch here.
 */
export const SNAPSHOT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  if redis.call('EXISTS', KEYS[3]) == 0 then return {'', '0', {}} end
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('DEL', KEYS[2], KEYS[4])
end
return {epoch, redis.call('GET', KEYS[2]) or '0', redis.call('HVALS', KEYS[3])}
`;

/**
 * readLog — KEYS: epoch, seq, log, hidden. ARGV: epoch ('' with after 0 = the current one), after, limit.
 * Returns {epoch, head, first, complete (0|1), [eventJson...]}. An event of a uri in `hidden`
 * (uri → version that hid it) older than that version comes back without its `headline`.
 */
export const READ_LOG = `
local epoch = redis.call('GET', KEYS[1]) or ''
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)
local first = head + 1
if oldest[1] then first = tonumber(string.match(oldest[1][1], '%-(%d+)$')) end
local after = tonumber(ARGV[2])
local sameEpoch = ARGV[1] == epoch or (ARGV[1] == '' and after == 0)
if epoch == '' then
  if sameEpoch then return {epoch, 0, 1, 1, {}} end
  return {epoch, 0, 1, 0, {}}
end
if not sameEpoch or after < first - 1 or after > head then
  return {epoch, head, first, 0, {}}
end
local entries = redis.call('XRANGE', KEYS[3], '(0-' .. after, '+', 'COUNT', ARGV[3])
local out = {}
local anyHidden = redis.call('HLEN', KEYS[4]) > 0
for i, e in ipairs(entries) do
  out[i] = e[2][2]
  if anyHidden then
    local ev = cjson.decode(out[i])
    if ev.headline then
      local from = redis.call('HGET', KEYS[4], ev.uri)
      if from and ev.version < tonumber(from) then
        ev.headline = nil
        out[i] = cjson.encode(ev)
      end
    end
  end
end
return {epoch, head, first, 1, out}
`;
