"""The live reveal's addresses, under /live/ (a contract: see DESIGN.md)."""

from django.urls import path

from events.live import views

app_name = "live"

urlpatterns = [
    path("<slug:slug>/", views.live_page, name="page"),
    path("<slug:slug>/state", views.live_state, name="state"),
    path("<slug:slug>/stream", views.stream, name="stream"),
    path("<slug:slug>/repetition/", views.rehearsal, name="rehearsal"),
]
