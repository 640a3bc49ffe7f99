"""The live page, its state and its stream, and the editors' rehearsal of the big screen.

None of these answers is kept by the page cache or by anyone else's cache: the state changes at the reveal.
"""

import json
import random
from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotFound, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events.live.broadcast import get_hub
from events.live.state import find_award, published_state, rehearsal_state
from events.models import AwardPage

KEEPALIVE_SECONDS = 15.0
RETRY_MILLISECONDS = (2000, 5000)  # a reconnecting client waits a random time in this range: no stampede
SCREEN_PARAMETER = "skarm"  # ?skarm=1: the big screen in the banquet hall


@never_cache
@require_GET
def live_page(request, slug):
    """The nominees while the hall waits, the winner once revealed; on a phone, or big (`?skarm=1`)."""
    award = _award_or_404(slug)
    if award.slug != slug:
        return redirect("live:page", slug=award.slug)
    screen = request.GET.get(SCREEN_PARAMETER) == "1"
    return _render_live(request, award, published_state(award), mode="screen" if screen else "phone")


@never_cache
@require_GET
def live_state(request, slug):
    """The published state as JSON: what the stream sends, for clients that cannot keep a stream open."""
    award = find_award(slug)
    if award is None:
        raise Http404
    return JsonResponse(published_state(award), json_dumps_params={"ensure_ascii": False})


@never_cache
def rehearsal(request, slug):
    """The big screen with the winner of the latest draft, for the editors to rehearse: 403 to everyone else."""
    award = find_award(slug)
    user = request.user
    if award is None or not user.is_authenticated or not award.permissions_for_user(user).can_edit():
        raise PermissionDenied
    response = _render_live(request, award, rehearsal_state(award), mode="rehearsal")
    patch_cache_control(response, private=True)
    return response


@require_GET
async def stream(request, slug):
    """Server-Sent Events: the current state at once, then each newer one, with a comment every 15 s.

    Served by events.live.asgi's handler under the ASGI server: one event loop holds every open stream.
    """
    hub = get_hub()
    subscriber = hub.subscribe(slug)
    try:
        state = await hub.state(slug)
    except BaseException:
        hub.unsubscribe(subscriber)
        raise
    if state is None:
        hub.unsubscribe(subscriber)
        return HttpResponseNotFound("No such award.", content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(_events(hub, subscriber, state), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx and its kind pass each event on at once
    response._resource_closers.append(partial(hub.unsubscribe, subscriber))
    return response


async def _events(hub, subscriber, state):
    """The stream's body. A disconnect cancels it wherever it waits, and the subscriber goes at once."""
    try:
        yield f"retry: {random.randint(*RETRY_MILLISECONDS)}\n".encode() + sse_event(state)  # noqa: S311
        sent = state["version"]
        while True:
            state = await subscriber.next(KEEPALIVE_SECONDS)
            if state is None:
                yield b": keep-alive\n\n"
            elif state["version"] > sent:
                yield sse_event(state)
                sent = state["version"]
    finally:
        hub.unsubscribe(subscriber)


def sse_event(state):
    """One `state` event, its id the state's version (what a reconnecting browser sends as Last-Event-ID).

    Every stream of an award is handed the same state object, so it is encoded once, not once per client.
    """
    slug = state["award"]["slug"]
    last = _encoded.get(slug)
    if last is not None and last[0] is state:
        return last[1]
    data = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    event = f"id: {state['version']}\nevent: state\ndata: {data}\n\n".encode()
    _encoded[slug] = (state, event)
    return event


_encoded = {}  # slug -> (the state last encoded, its event)


def _award_or_404(slug):
    """The live Swedish award page with `slug`; a translation's slug leads to it too."""
    award = find_award(slug)
    if award is None:
        translation = AwardPage.objects.live().public().filter(slug=slug).first()
        if translation is None:
            raise Http404
        award = translation.round_page()
        if not award.live:
            raise Http404
    return award


def _render_live(request, award, state, *, mode):
    template = "events/live/live_page.html" if mode == "phone" else "events/live/live_screen.html"
    context = {
        "award": award,
        "state": state,
        "winner": None if mode == "rehearsal" else state["winner"],  # the rehearsal starts before the reveal
        "mode": mode,
        "stream_url": reverse("live:stream", args=[award.slug]),
        "state_url": reverse("live:state", args=[award.slug]),
        "screen_url": reverse("live:page", args=[award.slug]) + f"?{SCREEN_PARAMETER}=1",
        "phone_url": reverse("live:page", args=[award.slug]),
    }
    return render(request, template, context)
