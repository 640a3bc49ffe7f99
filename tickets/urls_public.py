"""The registration pages and order pages (under the language prefix: /anmalan/, /en/anmalan/).

The steps find the visitor's order through the session; the order page and its invoice through the order's
unguessable secret. No address holds personal data."""

from django.urls import path

from tickets.views import registration

app_name = "tickets"
urlpatterns = [
    path("", registration.choose, name="register"),
    path("deltagare/", registration.attendees, name="attendees"),
    path("betalare/", registration.buyer, name="buyer"),
    path("granska/", registration.review, name="review"),
    path("avbryt/", registration.cancel, name="cancel"),
    path("order/<str:secret>/", registration.order_page, name="order"),
    path("order/<str:secret>/invoice/<str:number>.pdf", registration.invoice_pdf, name="invoice_pdf"),
]
