"""The conference's machine-readable addresses: programme exports and the live award stream."""

from django.urls import path

from events import views

app_name = "events"
urlpatterns = [
    path("programme.ics", views.programme_ics, name="programme_ics"),
    path("programme.json", views.programme_json, name="programme_json"),
    path("programme.xml", views.programme_xml, name="programme_xml"),
    path("programme/session/<int:pk>.ics", views.session_ics, name="session_ics"),
]
