"""Money and doors: the Stripe webhook, order pages and the check-in API (no language prefix)."""

from django.urls import path

from tickets.views import webhooks

app_name = "tickets_api"
urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
