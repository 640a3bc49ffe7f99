"""The registration pages and order pages (under the language prefix: /biljetter/, /en/biljetter/).

The steps find the visitor's order through the session; the order page, its files and its self-service pages
through the order's unguessable secret (an attendee by their number in the order, a ticket by its id, looked up
only among the order's own). No address holds personal data. A secret is URL-safe base64, the alphabet of the
`slug` converter: anything else (a NUL, which PostgreSQL cannot even compare) is not found before any query."""

from django.urls import path

from tickets.views import order_page, registration, waiting_list

app_name = "tickets"
urlpatterns = [
    path("", registration.choose, name="register"),
    path("deltagare/", registration.attendees, name="attendees"),
    path("betalare/", registration.buyer, name="buyer"),
    path("granska/", registration.review, name="review"),
    path("avbryt/", registration.cancel, name="cancel"),
    path("vantelista/<int:ticket_type_id>/", waiting_list.waiting_list, name="waiting_list"),
    path("order/<slug:secret>/", order_page.order_page, name="order"),
    path("order/<slug:secret>/invoice/<str:number>.pdf", order_page.invoice_pdf, name="invoice_pdf"),
    path("order/<slug:secret>/ticket/<int:position>.pdf", order_page.ticket_pdf, name="ticket_pdf"),
    path("order/<slug:secret>/ticket/<int:ticket_id>.png", order_page.ticket_png, name="ticket_png"),
    path("order/<slug:secret>/calendar.ics", order_page.order_ics, name="order_ics"),
    path("order/<slug:secret>/attendee/<int:position>/", order_page.order_attendee, name="order_attendee"),
    path("order/<slug:secret>/resend/", order_page.order_resend, name="order_resend"),
    path("order/<slug:secret>/cancel/", order_page.order_cancel, name="order_cancel"),
]
