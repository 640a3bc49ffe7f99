"""Money and doors: the Stripe webhook, order pages and the check-in API."""

app_name = "tickets"
urlpatterns = []
