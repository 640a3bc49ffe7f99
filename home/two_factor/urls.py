"""Mounted at /admin/2fa/ (before Wagtail's admin, whose last address catches everything under /admin/)."""

from django.urls import path

from home.two_factor import views

app_name = "two_factor"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("disable/", views.disable, name="disable"),
]
