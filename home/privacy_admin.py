"""The organisers' page for privacy requests in the Wagtail admin (imported by home.wagtail_hooks): an email
address in; out comes everything held about it as a JSON download, or, after a summary and a confirmation, its
erasure (home.privacy). The address travels only in POST bodies, never in a URL, and no answer is cached."""

import json

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import LogFormatter

from home import privacy

DELETED_LABELS = {
    "waiting_list": _("Waiting-list entries"),
    "nominations": _("Nominations the jury has not seen yet"),
    "votes": _("Unconfirmed votes"),
    "emails": _("Sent emails kept by the task queue"),
}
ANONYMISED_LABELS = {
    "orders": _(
        "Orders they bought: name, email, phone and reference removed (and a private buyer's address); "
        "code, dates, amounts and the buying organisation kept"
    ),
    "invoices": _(
        "Invoices and credit notes: contact, email and reference removed (and a private buyer's name and address); "
        "number, dates, amounts and the buying organisation kept"
    ),
    "attendees": _("Attendee records: name, email, title and needs removed; the tickets kept"),
    "checkins": _("Check-ins of their tickets: the name shown at the door removed; time and result kept"),
    "nominations": _(
        "Nominations the jury has worked on: the nominator's name, email and organisation removed; "
        "the candidate and the answers kept"
    ),
    "votes": _("Confirmed votes: the address removed; the vote still counts"),
    "vouchers": _("Waiting-list offer codes: the address removed; an open offer ends and goes to the next in line"),
}


def may_handle_requests(user):
    """Organisers: superusers, the Arrangörer group, or whoever may change orders."""
    from tickets.admin.access import can_change_orders

    return can_change_orders(user)


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The address the person used when buying, registering, nominating or voting. Case is ignored."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ConfirmErasureForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have checked that the request comes from the person who uses this address."),
        help_text=_("The erasure cannot be undone."),
    )


def rows(counts, labels):
    return [(labels[key], count) for key, count in counts.items() if count]


class PrivacyRequestView(WagtailAdminTemplateMixin, TemplateView):
    """GET: the form. POST `export`: the JSON download. POST `review`: what an erasure would delete and anonymise,
    with a confirmation form. POST `erase` (confirmed): the erasure, and what it did."""

    template_name = "home/admin/privacy_request.html"
    page_title = _("Personal data requests")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        # A plain 403: Wagtail would turn PermissionDenied into a redirect to the dashboard.
        if not may_handle_requests(request.user):
            return permission_denied(request, PermissionDenied())
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(step="ask", form=EmailForm()))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "erase":
            return self.erase(ConfirmErasureForm(request.POST))
        form = EmailForm(request.POST)
        if action not in ("export", "review") or not form.is_valid():
            return self.render_to_response(self.get_context_data(step="ask", form=form))
        email = form.cleaned_data["email"]
        if action == "export":
            return self.download(privacy.export(email, actor=request.user))
        return self.review(ConfirmErasureForm(initial={"email": email}), email)

    def review(self, form, email):
        plan = privacy.plan_erasure(email)
        return self.render_to_response(
            self.get_context_data(
                step="confirm",
                form=form,
                email=email,
                deleted=rows(plan.deleted, DELETED_LABELS),
                anonymised=rows(plan.anonymised, ANONYMISED_LABELS),
                nothing=plan.total == 0,
            )
        )

    def erase(self, form):
        if not form.is_valid():
            email = form.data.get("email", "")
            if "email" in form.errors:
                return self.render_to_response(self.get_context_data(step="ask", form=EmailForm({"email": email})))
            return self.review(form, form.cleaned_data["email"])
        email = form.cleaned_data["email"]
        done = privacy.erase(email, actor=self.request.user)
        return self.render_to_response(
            self.get_context_data(
                step="done",
                email=email,
                deleted=rows(done.deleted, DELETED_LABELS),
                anonymised=rows(done.anonymised, ANONYMISED_LABELS),
                nothing=done.total == 0,
                reference=done.reference,
                form=EmailForm(),
            )
        )

    def download(self, data):
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        filename = f"personuppgifter-{timezone.localdate().isoformat()}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- Registration ---------------------------------------------------------------------------------------------------


class PrivacyMenuItem(MenuItem):
    def is_shown(self, request):
        return may_handle_requests(request.user)


@hooks.register("register_admin_urls")
def register_privacy_urls():
    return [path("personal-data/", PrivacyRequestView.as_view(), name="privacy_requests")]


@hooks.register("register_settings_menu_item")
def register_privacy_menu_item():
    return PrivacyMenuItem(_("Personal data requests"), reverse("privacy_requests"), icon_name="user", order=900)


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    @actions.register_action(privacy.ANONYMISED_ACTION)
    class Anonymised(LogFormatter):
        label = _("Personal data removed on request")

        def format_message(self, log_entry):
            return gettext("A person's data removed on their request by %(actor)s (reference %(reference)s)") % {
                "actor": log_entry.data.get("actor", ""),
                "reference": log_entry.data.get("reference", ""),
            }

    @actions.register_action(privacy.ERASED_ACTION)
    class Erased(LogFormatter):
        label = _("Personal data erased on request")

        def format_message(self, log_entry):
            data = log_entry.data
            return gettext("Reference %(reference)s: %(deleted)s records deleted, %(anonymised)s anonymised") % {
                "reference": data.get("reference", ""),
                "deleted": sum((data.get("deleted") or {}).values()),
                "anonymised": sum((data.get("anonymised") or {}).values()),
            }

    @actions.register_action(privacy.EXPORTED_ACTION)
    class Exported(LogFormatter):
        label = _("Personal data exported on request")

        def format_message(self, log_entry):
            return gettext("Reference %(reference)s: %(records)s records exported") % {
                "reference": log_entry.data.get("reference", ""),
                "records": log_entry.data.get("records", 0),
            }
