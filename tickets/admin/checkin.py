"""The doors in the admin: check-in lists with their arrivals, and the scanner devices with their tokens (shown
once, when a device is added); a device is revoked by setting its “revoked” time.

Each list's own pages (arrivals, not arrived, name badges) are in tickets.admin.arrivals."""

import base64
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, F, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, ListingButton
from wagtail.permissions import register_permission_policy

from tickets.admin.access import CataloguePermissionPolicy
from tickets.admin.arrivals import LISTS, ArrivalsView, BadgesView, NotArrivedIndexView, list_page_links
from tickets.models import Checkin, CheckinList, Order, ScannerDevice
from tickets.ticket_files import qr_png

for _model in (CheckinList, ScannerDevice):
    register_permission_policy(_model, CataloguePermissionPolicy(_model))


# --- The lists ------------------------------------------------------------------------------------------------------


class CheckinListIndexView(IndexView):
    def get_base_queryset(self):
        # Counted as tickets.services.checkin.list_status counts them, for every list in one query.
        arrived = Count("checkins__ticket", filter=Q(checkins__result=Checkin.Result.OK), distinct=True)
        expected = Count(
            "ticket_types__tickets",
            filter=Q(ticket_types__tickets__order__status__in=Order.CONFIRMED)
            & Q(ticket_types__tickets__order__edition=F("edition")),
            distinct=True,
        )
        return super().get_base_queryset().select_related("edition").annotate(arrived=arrived, expected=expected)

    @cached_property
    def columns(self):
        return [
            *super().columns,
            Column("expected", label=_("Expected"), sort_key="expected"),
            Column("arrived", label=_("Arrived"), sort_key="arrived"),
        ]

    @cached_property
    def may_view(self):
        return self.user_has_permission("view")

    def get_list_more_buttons(self, instance):
        """The arrivals beside the list's name; not arrived and the badges in its menu."""
        buttons = super().get_list_more_buttons(instance)
        if not self.may_view:
            return buttons
        (arrivals, arrivals_url, _icon), *others = list_page_links(instance, self.request.user)
        return [
            ListingButton(arrivals, url=arrivals_url, icon_name="time", priority=1),
            *buttons,
            *(Button(label, url=url, icon_name=icon, priority=40 + n) for n, (label, url, icon) in enumerate(others)),
        ]


class CheckinListEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.user_has_permission("view"):
            buttons += [
                Button(label, url=url, icon_name=icon, priority=1 + n)
                for n, (label, url, icon) in enumerate(list_page_links(self.object, self.request.user))
            ]
        return buttons


class CheckinListViewSet(ModelViewSet):
    """Check-in lists, with each list's arrivals, not-arrived listing (and export) and name badges."""

    model = CheckinList
    name = LISTS
    url_prefix = "tickets/checkin-lists"
    icon = "list-ul"
    menu_label = _("Check-in lists")
    index_view_class = CheckinListIndexView
    edit_view_class = CheckinListEditView
    list_display = ["name", "edition", "allow_reentry"]
    list_filter = ["edition"]
    ordering = ["edition", "name"]
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("arrivals/<int:pk>/", ArrivalsView.as_view(), name="arrivals"),
            path("not-arrived/<int:pk>/", NotArrivedIndexView.as_view(), name="not_arrived"),
            path("badges/<int:pk>/", BadgesView.as_view(), name="badges"),
        ]


class DeviceForm(forms.ModelForm):
    class Meta:
        model = ScannerDevice
        fields = ["edition", "name"]


class DeviceCreateView(CreateView):
    """Adds a device and shows its token on the page itself, once: it is never stored or sent anywhere else."""

    created_template_name = "tickets/admin/device_created.html"  # the form itself is Wagtail's

    def form_valid(self, form):
        device, token = ScannerDevice.create_with_token(
            edition=form.cleaned_data["edition"], name=form.cleaned_data["name"]
        )
        self.object = device
        # The pairing link carries the token in the fragment, which browsers never send to a server.
        pairing_url = self.request.build_absolute_uri(reverse("scanner")) + "#" + urlencode({"token": token})
        response = TemplateResponse(
            self.request,
            self.created_template_name,
            {
                **self.get_context_data(form=form),
                "device": device,
                "token": token,
                "pairing_url": pairing_url,
                "pairing_qr": "data:image/png;base64," + base64.b64encode(qr_png(pairing_url, box_size=6)).decode(),
                "index_url": reverse(self.index_url_name),
            },
        )
        response["Cache-Control"] = "no-store"
        return response


def device_state(device):
    return gettext("Active") if device.is_active else gettext("Revoked")


class DeviceIndexView(IndexView):
    @cached_property
    def columns(self):
        return [
            *super().columns,
            Column(
                "state", label=_("State"), accessor=lambda d: gettext("Active") if d.is_active else gettext("Revoked")
            ),
        ]


class ScannerDeviceViewSet(ModelViewSet):
    model = ScannerDevice
    name = "scanner_devices"
    url_prefix = "tickets/devices"
    icon = "mobile-alt"
    menu_label = _("Scanner devices")
    form_fields = ["edition", "name", "revoked_at"]
    add_view_class = DeviceCreateView
    index_view_class = DeviceIndexView
    list_display = ["name", "edition", "created_at", "last_seen_at", "revoked_at"]
    list_filter = ["edition"]
    ordering = ["edition", "name"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return super().get_form_class(for_update=for_update) if for_update else DeviceForm
