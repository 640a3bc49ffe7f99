"""POST /stripe/webhook/: Stripe's events, trusted only with a valid signature."""

import json
import logging
import re

import stripe
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tickets.services.stripe_events import apply_event

logger = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300  # Stripe's own default: older signatures are replays
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it) and lone surrogates (no encoding has them)


@csrf_exempt  # Stripe signs the body instead
@require_POST
def stripe_webhook(request):
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse({"error": "Webhooks are not configured."}, status=503)
    try:
        payload = request.body.decode("utf-8", errors="replace")
    except RequestDataTooBig:
        return JsonResponse({"error": "Payload too large."}, status=413)
    try:
        stripe.WebhookSignature.verify_header(
            payload, request.headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET, TOLERANCE_SECONDS
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        return JsonResponse({"error": "Invalid signature."}, status=400)
    except (ValueError, RecursionError):
        return JsonResponse({"error": "Invalid payload."}, status=400)
    if not _well_formed(event):
        logger.warning("Malformed Stripe event")
        return JsonResponse({"error": "Malformed event."}, status=400)
    event_id = event["id"]
    try:
        outcome = apply_event(event)
    except DatabaseError:
        logger.exception("Stripe event not applied", extra={"event": event_id})
        return JsonResponse({"error": "Try again later."}, status=503)  # Stripe retries
    except (KeyError, TypeError, AttributeError):
        logger.warning("Malformed Stripe event", exc_info=True, extra={"event": event_id})
        return JsonResponse({"error": "Malformed event."}, status=400)
    return JsonResponse({"received": True, "outcome": outcome})


def _well_formed(event):
    """Whether `event` has a Stripe event's shape: an object whose id and type are text that fits their columns,
    with an object under data.object, and no text anywhere that the database cannot hold. Stripe sends nothing
    else; a signed body that is anything else is refused before any of it reaches a query."""
    if not isinstance(event, dict):
        return False
    event_id, kind, data = event.get("id"), event.get("type"), event.get("data")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 255 and isinstance(kind, str) and len(kind) <= 100):
        return False
    if not (isinstance(data, dict) and isinstance(data.get("object"), dict)):
        return False
    stack = [event]  # not recursive: json.loads accepts nesting deeper than Python's recursion limit allows here
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                return False
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True
