"""POST /stripe/webhook/: Stripe's events, trusted only with a valid signature."""

import json
import logging

import stripe
from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tickets.services.stripe_events import apply_event

logger = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300  # Stripe's own default: older signatures are replays


@csrf_exempt  # Stripe signs the body instead
@require_POST
def stripe_webhook(request):
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse({"error": "Webhooks are not configured."}, status=503)
    payload = request.body.decode("utf-8", errors="replace")
    try:
        stripe.WebhookSignature.verify_header(
            payload, request.headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET, TOLERANCE_SECONDS
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        return JsonResponse({"error": "Invalid signature."}, status=400)
    except ValueError:
        return JsonResponse({"error": "Invalid payload."}, status=400)
    event_id = event.get("id") if isinstance(event, dict) else None
    try:
        outcome = apply_event(event)
    except DatabaseError:
        logger.exception("Stripe event not applied", extra={"event": event_id})
        return JsonResponse({"error": "Try again later."}, status=503)  # Stripe retries
    except (KeyError, TypeError, AttributeError):
        logger.warning("Malformed Stripe event", exc_info=True, extra={"event": event_id})
        return JsonResponse({"error": "Malformed event."}, status=400)
    return JsonResponse({"received": True, "outcome": outcome})
