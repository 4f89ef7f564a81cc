"""Send rates shared by every worker: token buckets in Redis, taken atomically by a script.

A mailing has at most two buckets (per second, per hour) and each limited destination domain
one more (per minute). Workers take tokens for several messages at once from the mailing's
buckets, so an unlimited or generously limited mailing costs one Redis call per many
messages; domain tokens are taken one message at a time, and only for limited domains.
Time comes from the Redis server, so the workers' clocks need not agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings

# KEYS: the buckets; ARGV: tokens wanted, then rate (tokens/s) and capacity of each bucket.
# Grants as many tokens as every bucket has (up to the wish) and, when that is none, says
# how long until each bucket holds one.
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local grant = tonumber(ARGV[1])
local wait = 0
local level = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i])
  local capacity = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
  level[i] = tokens
  if math.floor(tokens) < grant then grant = math.floor(tokens) end
  if tokens < 1 then
    local w = (1 - tokens) / rate
    if w > wait then wait = w end
  end
end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'tokens', tostring(level[i] - grant), 'at', tostring(now))
  redis.call('EXPIRE', key, 7200)
end
return {grant, tostring(wait)}
"""


@cache
def _client() -> redis.Redis:
    url = settings.REDIS_URL
    if url.startswith("redis+socket://"):
        return redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
    return redis.Redis.from_url(url)


@cache
def _script():
    return _client().register_script(TAKE)


@dataclass(frozen=True)
class Bucket:
    key: str
    rate: float  # tokens per second
    capacity: float


def buckets_for_mailing(
    *, mailing_id: int, per_second: int | None, per_hour: int | None
) -> list[Bucket]:
    buckets = []
    if per_second:
        buckets.append(Bucket(f"meibo:email:{mailing_id}:s", per_second, per_second))
    if per_hour:
        # A minute's share as the burst: close to "no more than N in any hour" without
        # letting the whole hour's quota out in the first second.
        buckets.append(
            Bucket(f"meibo:email:{mailing_id}:h", per_hour / 3600, max(1, per_hour / 60))
        )
    return buckets


def bucket_for_domain(*, mailing_id: int, domain: str, per_minute: int) -> Bucket:
    return Bucket(f"meibo:email:{mailing_id}:d:{domain}", per_minute / 60, max(1, per_minute / 6))


def take(buckets: list[Bucket], wanted: int) -> tuple[int, float]:
    """(tokens granted, seconds until one more is available when none was granted)."""
    if not buckets:
        return wanted, 0.0
    args: list[float] = [wanted]
    for bucket in buckets:
        args += [bucket.rate, bucket.capacity]
    granted, wait = _script()(keys=[b.key for b in buckets], args=args)
    return int(granted), float(wait)
