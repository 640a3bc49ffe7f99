"""The live broadcast: how a reveal reaches every open live page in every server process.

Each server process has one `Hub`. It keeps the open streams' subscribers by award slug and the latest state it
knows of each award, and it is fed by one listener task per process (never one per client):

* with `REDIS_URL`, a Redis pub/sub subscription to one channel, on which `publish()` sends each new state; the
  listener also reads the audit log's version every `SAFETY_POLL_SECONDS`, so a message lost while Redis restarted
  is made up for;
* without Redis, a read of that version every `POLL_SECONDS`: one indexed query per process, whatever the number
  of clients, after which the process reloads the states of the awards it streams and passes on what is newer.

The process that commits the change also hands the new state to its own hub at once. Every state carries its
`version` (see events.live.state), and a hub passes on only a newer one, so a state that arrives twice (through
Redis and directly, or through Redis and the poll) reaches each client once.

The listener runs only while someone subscribes; it and every state load run their database queries in one
thread of the hub's own, so a thousand clients never hold a thousand threads.
"""

import asyncio
import hashlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.conf import settings
from django.db import connections
from django.db import transaction as db_transaction

from events.live.state import live_award_slugs, publication_marker, published_state, published_state_for

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
SAFETY_POLL_SECONDS = 10.0
STATE_TTL_SECONDS = 10.0  # how long a hub trusts a state it has not heard about since, should its listener fail
RETRY_SECONDS = 1.0  # pause after the listener lost Redis or the database


def channel_name():
    """The Redis channel of this site: pub/sub ignores Redis's database numbers, so the cache's key prefix and the
    database name keep two sites (or two test runs) on one Redis apart."""
    database = settings.DATABASES["default"]
    where = f"{database.get('HOST') or ''}:{database.get('PORT') or ''}/{database['NAME']}"
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:live-reveal:{hashlib.sha256(where.encode()).hexdigest()[:16]}"


class Subscriber:
    """One open stream: the newest state offered to it that it has not taken yet."""

    __slots__ = ("_wakeup", "pending", "slug")

    def __init__(self, slug):
        self.slug = slug
        self.pending = None
        self._wakeup = asyncio.Event()

    def offer(self, state):
        if self.pending is None or state["version"] > self.pending["version"]:
            self.pending = state
            self._wakeup.set()

    def take(self):
        """The state offered since the last take, or None."""
        state, self.pending = self.pending, None
        self._wakeup.clear()
        return state

    async def next(self, timeout):
        """Waits up to `timeout` seconds for a state to be offered; returns it, or None when the time ran out."""
        try:
            async with asyncio.timeout(timeout):
                await self._wakeup.wait()
        except TimeoutError:
            return None
        return self.take()


class Hub:
    """A server process's subscribers, the states it last saw, and the one listener that feeds them."""

    def __init__(
        self, *, redis_url=None, load_state=published_state_for, marker=publication_marker, award_slugs=live_award_slugs
    ):
        self.redis_url = redis_url
        self._load_state = load_state
        self._marker = marker
        self._award_slugs = award_slugs
        self._subscribers = {}  # slug -> set of Subscriber
        self._states = {}  # slug -> (state, time.monotonic() when last confirmed)
        self._slugs = None  # (the live awards' slugs, time.monotonic() when read)
        self._loading = {}  # key -> the asyncio.Task of a database read in progress
        self._loop = None
        self._listener = None
        self._executor = None

    # --- Subscribers ------------------------------------------------------------------------------------------------

    def subscribe(self, slug):
        """A new subscriber to `slug`'s states; starts the listener if this process has none running."""
        subscriber = Subscriber(slug)
        self._subscribers.setdefault(slug, set()).add(subscriber)
        self._ensure_listener()
        return subscriber

    def unsubscribe(self, subscriber):
        """Forgets `subscriber` (again is harmless); the listener stops by itself once nobody subscribes."""
        subscribers = self._subscribers.get(subscriber.slug)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self._subscribers[subscriber.slug]

    def subscriber_count(self, slug=None):
        if slug is not None:
            return len(self._subscribers.get(slug, ()))
        return sum(len(subscribers) for subscribers in self._subscribers.values())

    @property
    def listening(self):
        return self._listener is not None and not self._listener.done()

    def shutdown(self):
        """Stops the hub's database thread, closing its connection first (tests; a server process just exits)."""
        if self._executor is not None:
            self._executor.submit(connections.close_all)
            self._executor.shutdown(wait=True)
            self._executor = None

    # --- States -----------------------------------------------------------------------------------------------------

    async def state(self, slug):
        """The current published state of `slug` (None if no such award): the one this hub holds while it is
        fresh, else one load from the database however many clients ask at the same moment. A slug that names no
        live award costs no query of its own (the live awards' slugs are read once in a while), so made-up
        addresses cannot keep the database busy."""
        held = self._states.get(slug)
        if held is not None and time.monotonic() - held[1] < STATE_TTL_SECONDS:
            return held[0]
        if self._slugs is None or time.monotonic() - self._slugs[1] >= STATE_TTL_SECONDS:
            self._slugs = (await self._read_once("slugs", self._award_slugs), time.monotonic())
        if slug not in self._slugs[0]:
            return None
        return await self._load(slug)

    def deliver(self, state):
        """Takes in `state` (in the event loop's thread) and offers it to the award's subscribers if it is newer
        than what they were last offered."""
        slug = state["award"]["slug"]
        held = self._states.get(slug)
        if held is not None and held[0]["version"] > state["version"]:
            return
        self._states[slug] = (state, time.monotonic())
        if held is not None and held[0]["version"] == state["version"]:
            return
        for subscriber in self._subscribers.get(slug, ()):
            subscriber.offer(state)

    def deliver_threadsafe(self, state):
        """`deliver` from any thread: a request thread that has just committed a reveal, or a management command."""
        loop = self._loop
        if loop is not None and loop.is_running() and not _runs_in(loop):
            loop.call_soon_threadsafe(self.deliver, state)
        else:
            self.deliver(state)

    async def _load(self, slug):
        state = await self._read_once(("state", slug), self._load_state, slug)
        if state is not None:
            self.deliver(state)
        return state

    async def _read_once(self, key, function, *args):
        """`function(*args)` in the database thread, shared by every caller that asks while it runs (a caller
        that goes away does not cancel it for the others)."""
        reading = self._loading.get(key)
        if reading is None:
            reading = asyncio.get_running_loop().create_task(self._in_db_thread(function, *args))
            self._loading[key] = reading
            reading.add_done_callback(partial(self._read_done, key))
        return await asyncio.shield(reading)

    def _read_done(self, key, reading):
        if self._loading.get(key) is reading:
            del self._loading[key]
        if not reading.cancelled():
            reading.exception()  # retrieved: whoever awaited it has it raised

    # --- The listener -----------------------------------------------------------------------------------------------

    def _ensure_listener(self):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # subscribed outside an event loop (a test of the registry): nothing to listen for
        if loop is not self._loop:  # a new event loop (tests run each in their own): start afresh
            self._loop, self._listener, self._states, self._loading = loop, None, {}, {}
        if not self.listening:
            self._listener = loop.create_task(self._listen(), name="live-reveal-listener")

    async def _listen(self):
        redis, marker, next_check = None, None, 0.0
        try:
            while self._subscribers:
                try:
                    if self.redis_url and redis is None:
                        redis = await _subscribe_to_redis(self.redis_url)
                        next_check = 0.0  # what was published while nobody listened is read from the database
                    if redis is not None:
                        message = await redis[1].get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
                        if message is not None:
                            self.deliver(json.loads(message["data"]))
                    else:
                        await asyncio.sleep(POLL_SECONDS)
                    if time.monotonic() >= next_check:
                        next_check = time.monotonic() + (SAFETY_POLL_SECONDS if redis else POLL_SECONDS)
                        current = await self._in_db_thread(self._marker)
                        if current != marker:
                            marker, self._slugs = current, None  # an award may have come or gone too
                            await self._reload_streamed()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.warning("The live broadcast's listener lost its source; trying again", exc_info=True)
                    redis = await _close(redis)
                    await asyncio.sleep(RETRY_SECONDS)
        finally:
            # Before any await: a subscriber arriving from here on starts a new listener.
            if self._listener is asyncio.current_task():
                self._listener = None
            if not self._subscribers:
                self._states, self._slugs = {}, None  # nobody hears of changes now: later clients must not trust these
            if self._executor is not None:
                self._executor.submit(connections.close_all)  # no idle database connection left behind
            await _close(redis)

    async def _reload_streamed(self):
        for slug in list(self._subscribers):
            await self._load(slug)

    async def _in_db_thread(self, function, *args):
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-reveal-db")
        return await asyncio.get_running_loop().run_in_executor(self._executor, _with_connection, function, args)


def _with_connection(function, args):
    try:
        return function(*args)
    except Exception:
        connections.close_all()  # a broken connection is opened afresh next time
        raise


async def _subscribe_to_redis(url):
    """(client, pubsub) subscribed to this site's channel."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(channel_name())
    except BaseException:
        await _close((client, pubsub))
        raise
    return client, pubsub


async def _close(redis):
    if redis is not None:
        client, pubsub = redis
        try:
            await pubsub.aclose()
            await client.aclose()
        except Exception:
            logger.debug("Closing the Redis subscription failed", exc_info=True)
    return None


def _runs_in(loop):
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


_hub = None
_hub_lock = threading.Lock()


def get_hub():
    """This process's hub."""
    global _hub
    if _hub is None:
        with _hub_lock:
            if _hub is None:
                _hub = Hub(redis_url=settings.REDIS_URL or None)
    return _hub


# --- Sending ------------------------------------------------------------------------------------------------------


def broadcast_on_commit(award_id):
    """Sends the award's published state to every live page once the current transaction commits; nothing on
    rollback."""
    db_transaction.on_commit(lambda: broadcast_award(award_id), robust=True)


def broadcast_award(award_id):
    """Sends the award's published state as the database holds it now."""
    from events.models import AwardPage

    award = AwardPage.objects.filter(pk=award_id, live=True).first()
    if award is not None:
        publish(published_state(award))


def publish(state):
    """Hands `state` to this process's streams at once and, with Redis, to every other process."""
    get_hub().deliver_threadsafe(state)
    if settings.REDIS_URL:
        import redis

        try:
            _redis_client().publish(channel_name(), json.dumps(state))
        except redis.RedisError:
            # The other processes' listeners read the version again within SAFETY_POLL_SECONDS.
            logger.exception("Could not publish the live state to Redis")


_redis = None


def _redis_client():
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    return _redis
