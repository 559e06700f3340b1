/**
 * The store's Lua scripts: every read-modify-write of shared state is one of them, so it runs atomically in
 * Redis. Times are Redis's own (`TIME`) and every reply and message carries durations, not instants, so the
 * clocks of the fleet's machines need not agree. Each key gets a TTL in the same script that writes it.
 *
 * Keys of one circuit: its fleet state (a hash: `state` = open | isolated, `until`, `successes`), its
 * openings (a sorted set: process id → time it opened), its cool-down (a string: the end time) and its trial
 * leases (one string per slot, `SET NX PX`). Messages go to one channel, as JSON: `{ k, t, ms?, from }`.
 */

/** Shared by every script: the time, a publisher, the fleet opening, and the vote of one process. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function publish(channel, key, kind, ms, from)
  redis.call('PUBLISH', channel, cjson.encode({k = key, t = kind, ms = ms, from = from}))
end
local function open_fleet(state, rt, channel, key, from)
  redis.call('HSET', state, 'state', 'open', 'until', now + rt, 'successes', 0)
  -- the open time, then as long again for the half-open trials to report
  redis.call('PEXPIRE', state, rt * 2)
  publish(channel, key, 'open', rt, from)
  return {'open', rt}
end
local function vote(state, votes, rt, quorum, channel, key, from)
  redis.call('ZADD', votes, now, from)
  redis.call('ZREMRANGEBYSCORE', votes, '-inf', now - rt)
  redis.call('PEXPIRE', votes, rt)
  local n = redis.call('ZCARD', votes)
  if n < quorum then return {'vote', n} end
  return open_fleet(state, rt, channel, key, from)
end
`;

/**
 * A process opened a circuit on its own evidence.
 * KEYS: state, votes. ARGV: from, recoveryTimeout, quorum, channel, key.
 * Reply: `{'vote', n}` (n processes within recoveryTimeout), `{'open', ms}` or `{'isolated'}`.
 */
export const OPENED = `${PRELUDE}
if redis.call('HGET', KEYS[1], 'state') == 'isolated' then return {'isolated'} end
return vote(KEYS[1], KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[1])
`;

/**
 * A server asked for a cool-down of `ms`; a longer one already shared stands.
 * KEYS: cool-down. ARGV: from, ms, channel, key. Reply: 1 when it was shared, 0 when a longer one stands.
 */
export const COOL_DOWN = `${PRELUDE}
local ms = tonumber(ARGV[2])
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= now + ms then return 0 end
redis.call('SET', KEYS[1], now + ms, 'PX', ms)
publish(ARGV[3], ARGV[4], 'cool-down', ms, ARGV[1])
return 1
`;

/**
 * A half-open trial asks for one of the fleet's slots.
 * KEYS: state, then one key per slot. ARGV: token, lease ms (the recoveryTimeout).
 * Reply: `{'lease', slot}` (1-based), `{'taken'}`, `{'open', ms}` (the fleet re-opened meanwhile), `{'isolated'}`.
 */
export const LEASE = `${PRELUDE}
local fleet = redis.call('HMGET', KEYS[1], 'state', 'until')
if fleet[1] == 'isolated' then return {'isolated'} end
if fleet[1] == 'open' then
  local left = (tonumber(fleet[2]) or 0) - now
  if left > 0 then return {'open', left} end
end
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then
    -- a fleet opening in its half-open phase lives on while trials run
    if fleet[1] == 'open' then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2) end
    return {'lease', i - 1}
  end
end
return {'taken'}
`;

/**
 * A trial call ended. Its lease is given back; while the circuit is open for the fleet, a success counts
 * towards `successThreshold` across the fleet and a failure re-opens it everywhere. Without a fleet opening,
 * a failed trial is this process's own evidence, a vote like an opening.
 * KEYS: state, votes, then the lease held (if any). ARGV: from, outcome, token, successThreshold,
 * recoveryTimeout, quorum, channel, key.
 * Reply: `{'closed'}`, `{'open', ms}`, `{'vote', n}` or `{'none'}`.
 */
export const TRIAL_ENDED = `${PRELUDE}
if KEYS[3] and redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
local outcome = ARGV[2]
if outcome == 'released' then return {'none'} end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'isolated' then return {'none'} end
if outcome == 'success' then
  if state ~= 'open' then return {'none'} end
  if redis.call('HINCRBY', KEYS[1], 'successes', 1) < tonumber(ARGV[4]) then return {'none'} end
  redis.call('DEL', KEYS[1], KEYS[2])
  publish(ARGV[7], ARGV[8], 'closed', 0, ARGV[1])
  return {'closed'}
end
local rt = tonumber(ARGV[5])
if state == 'open' then return open_fleet(KEYS[1], rt, ARGV[7], ARGV[8], ARGV[1]) end
return vote(KEYS[1], KEYS[2], rt, tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[1])
`;

/**
 * `isolate`, `reset` or `open` by hand, for the whole fleet and without a quorum. An isolation has no end,
 * so it is the one key left without a TTL, until `reset`.
 * KEYS: state, votes, cool-down, then every lease slot. ARGV: from, action, recoveryTimeout, channel, key.
 */
export const CONTROL = `${PRELUDE}
local action = ARGV[2]
if action == 'open' then return open_fleet(KEYS[1], tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[1]) end
if action == 'isolate' then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'state', 'isolated')
  redis.call('PERSIST', KEYS[1])
  publish(ARGV[4], ARGV[5], 'isolated', 0, ARGV[1])
  return {'isolated'}
end
redis.call('DEL', unpack(KEYS))
publish(ARGV[4], ARGV[5], 'reset', 0, ARGV[1])
return {'reset'}
`;

/**
 * What the fleet holds for one circuit, for a process that starts or comes back after an outage.
 * KEYS: state, cool-down. Reply: `{state or '', ms the opening has left, ms the cool-down has left}`.
 */
export const READ = `${PRELUDE}
local fleet = redis.call('HMGET', KEYS[1], 'state', 'until')
local cool = tonumber(redis.call('GET', KEYS[2])) or now
return {fleet[1] or '', (tonumber(fleet[2]) or now) - now, cool - now}
`;
