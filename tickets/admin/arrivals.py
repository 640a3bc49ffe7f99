"""Each check-in list's own pages in the admin: its arrivals (expected, arrived, not yet arrived, and the admissions
per ten minutes as a chart with a table beside it), the tickets not yet arrived (a listing with CSV and Excel
export, for whoever may see orders: it holds emails) and the name badges of its tickets as a PDF. These pages hold
personal data: never stored by a cache."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format, time_format
from django.utils.functional import cached_property
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry

from tickets.admin.access import CsvInAdminLanguageMixin, can_view_orders
from tickets.admin.lists import ATTENDEE_EXPORT_HEADINGS, order_url
from tickets.models import CheckinList, Ticket
from tickets.services.checkin import admissions_by_day, admitted_tickets, list_status, not_arrived_tickets

# --- The chart: an inline SVG, drawn here so that the template only places what is computed ------------------------

CHART_WIDTH, CHART_HEIGHT = 720, 260
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 44, 52, 16, 40  # room for the scales and the times
MOST_TIME_LABELS = 8


def _scale(largest, *, steps=4):
    """Whole-number ticks from 0 to at least `largest` on a round step (1, 2, 5, 10, 20, 50, …)."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if largest <= step * steps:
                return list(range(0, max(-(-largest // step), 1) * step + 1, step))
        magnitude *= 10


def _svg_number(value):
    return f"{value:.1f}"  # attributes take a decimal point whatever the admin's language


def arrivals_chart(day, intervals):
    """What the template draws for one day: bars of admissions per ten minutes against the scale on the left, a line
    of the admissions in total against the scale on the right, the times below; with a title and a description."""
    plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    baseline = PLOT_TOP + plot_height
    counts = _scale(max(interval.count for interval in intervals))
    totals = _scale(intervals[-1].total)
    slot = plot_width / len(intervals)

    def height(value, scale):
        return value / scale[-1] * plot_height

    bars = [
        {
            "x": _svg_number(PLOT_LEFT + index * slot + slot * 0.1),
            "y": _svg_number(baseline - height(interval.count, counts)),
            "width": _svg_number(slot * 0.8),
            "height": _svg_number(height(interval.count, counts)),
            "interval": interval,
            "title": ngettext("%(time)s: %(count)s admission", "%(time)s: %(count)s admissions", interval.count)
            % {"time": interval.label, "count": interval.count},
        }
        for index, interval in enumerate(intervals)
    ]
    before = intervals[0].total - intervals[0].count
    points = [(PLOT_LEFT, baseline - height(before, totals))] + [
        (PLOT_LEFT + (index + 1) * slot, baseline - height(interval.total, totals))
        for index, interval in enumerate(intervals)
    ]
    every = next((n for n in (1, 2, 3, 6, 12, 18, 36, 72) if len(intervals) / n <= MOST_TIME_LABELS), 144)
    times = [
        {"x": _svg_number(PLOT_LEFT + index * slot), "text": interval.start_text}
        for index, interval in enumerate(intervals)
        if (interval.start.hour * 60 + interval.start.minute) // 10 % every == 0
    ]
    busiest = max(intervals, key=lambda interval: interval.count)  # the first of equals
    admitted = sum(interval.count for interval in intervals)
    day_text = date_format(day, "l j F Y")  # “tisdag 9 oktober 2040”
    description = " ".join(
        [
            ngettext(
                "%(count)s admission from %(first)s to %(last)s; the most in ten minutes, %(most)s, at %(busiest)s.",
                "%(count)s admissions from %(first)s to %(last)s; the most in ten minutes, %(most)s, at %(busiest)s.",
                admitted,
            )
            % {
                "count": admitted,
                "first": intervals[0].start_text,
                "last": time_format(intervals[-1].end, "H:i"),
                "most": busiest.count,
                "busiest": busiest.label,
            },
            gettext(
                "Bars: admissions per ten minutes (scale on the left). Line: admissions in total (scale on the right)."
            ),
        ]
    )
    return {
        "day": day,
        "label": capfirst(day_text),
        "title": gettext("Admissions per ten minutes, %(day)s") % {"day": day_text},
        "description": description,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "plot_left": PLOT_LEFT,
        "plot_right": CHART_WIDTH - PLOT_RIGHT,
        "baseline": baseline,
        "time_y": baseline + 18,
        "count_ticks": [{"value": v, "y": _svg_number(baseline - height(v, counts))} for v in counts],
        "total_ticks": [{"value": v, "y": _svg_number(baseline - height(v, totals))} for v in totals],
        "bars": bars,
        "line": " ".join(f"{_svg_number(x)},{_svg_number(y)}" for x, y in points),
        "times": times,
        "rows": [interval for interval in intervals if interval.count],
        "admitted": admitted,
    }


# --- The pages of one list ------------------------------------------------------------------------------------------


LISTS = "checkin_lists"  # the viewset's name: its URLs' namespace


def list_url(view_name, checkin_list):
    return reverse(f"{LISTS}:{view_name}", args=[checkin_list.pk])


def list_page_links(checkin_list, user):
    """(label, URL, icon) of the pages of `checkin_list` that `user` may see: the arrivals, the badges and, for
    whoever may see orders, the not-yet-arrived listing."""
    links = [(_("Arrivals"), list_url("arrivals", checkin_list), "time")]
    if can_view_orders(user):
        links.append((_("Not arrived"), list_url("not_arrived", checkin_list), "group"))
    links.append((_("Name badges (PDF)"), list_url("badges", checkin_list), "doc-full"))
    return links


class CheckinListAccessMixin:
    """A page of the check-in list in the URL, for whoever may view check-in lists; anyone else gets a plain 403
    (Wagtail's own check would redirect to the dashboard). No response is stored anywhere: they hold personal
    data."""

    index_url_name = f"{LISTS}:index"

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(CheckinList)

    def may_see(self, user):
        return self.permission_policy.user_has_permission(user, "view")

    def dispatch(self, request, *args, **kwargs):
        if self.may_see(request.user):
            self.checkin_list = get_object_or_404(CheckinList.objects.select_related("edition"), pk=kwargs["pk"])
            response = super().dispatch(request, *args, **kwargs)
        else:
            response = permission_denied(request, PermissionDenied())
        patch_cache_control(response, no_store=True)
        return response

    def get_page_subtitle(self):
        return self.checkin_list.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": capfirst(CheckinList._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    @cached_property
    def header_buttons(self):
        """The list's other pages."""
        return [
            HeaderButton(label, url=url, icon_name=icon, priority=index)
            for index, (label, url, icon) in enumerate(list_page_links(self.checkin_list, self.request.user))
            if url != self.request.path
        ]


class ArrivalsView(CheckinListAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """Expected, arrived and not yet arrived, and a chart (with its table) of the admissions per ten minutes for
    each day the list has admitted someone. Three queries, however many tickets and scans."""

    template_name = "tickets/admin/checkin_arrivals.html"
    page_title = _("Arrivals")
    header_icon = "time"

    def get_context_data(self, **kwargs):
        counts = list_status(self.checkin_list)
        return {
            **super().get_context_data(**kwargs),
            "checkin_list": self.checkin_list,
            "counts": counts,
            "charts": [arrivals_chart(day, intervals) for day, intervals in admissions_by_day(self.checkin_list)],
            "not_arrived_url": list_url("not_arrived", self.checkin_list),
        }


class NotArrivedIndexView(CheckinListAccessMixin, CsvInAdminLanguageMixin, IndexView):
    """The tickets the list admits (of paid and invoiced orders) that it has not admitted yet: a listing, and as CSV
    and Excel through Wagtail's export, like the attendee lists."""

    model = Ticket
    any_permission_required = None  # checked by may_see

    def may_see(self, user):
        return super().may_see(user) and can_view_orders(user)  # emails are the orders' data

    page_title = _("Not arrived")
    header_icon = "group"
    paginate_by = 100
    default_ordering = "attendee__last_name"
    list_export = [
        "attendee.first_name",
        "attendee.last_name",
        "attendee.email",
        "attendee.organisation",
        "ticket_type.display_name",
        "order.code",
    ]
    export_headings = {
        "attendee.first_name": ATTENDEE_EXPORT_HEADINGS["first_name"],
        "attendee.last_name": ATTENDEE_EXPORT_HEADINGS["last_name"],
        "attendee.email": ATTENDEE_EXPORT_HEADINGS["email"],
        "attendee.organisation": ATTENDEE_EXPORT_HEADINGS["organisation"],
        "ticket_type.display_name": _("Ticket type"),
        "order.code": ATTENDEE_EXPORT_HEADINGS["order_code"],
    }

    def get_index_url(self):
        return list_url("not_arrived", self.checkin_list)

    def get_filename(self):
        return f"ej-ankomna-{slugify(self.checkin_list.name)}"

    def get_base_queryset(self):
        return not_arrived_tickets(self.checkin_list)

    def order_queryset(self, queryset):
        ordering = [self.ordering] if self.ordering else []
        return queryset.order_by(*ordering, "attendee__last_name", "attendee__first_name", "pk")

    @cached_property
    def no_results_message(self):
        return gettext("Everyone this list admits has arrived.")

    @cached_property
    def columns(self):
        show_orders = can_view_orders(self.request.user)
        return [
            TitleColumn(
                "name",
                label=_("Name"),
                accessor=lambda ticket: ticket.attendee.name or "–",
                sort_key="attendee__last_name",
                get_url=(lambda ticket: order_url(ticket.order_id)) if show_orders else None,
            ),
            Column("email", label=_("Email"), accessor="attendee.email", sort_key="attendee__email"),
            Column(
                "organisation",
                label=_("Organisation"),
                accessor="attendee.organisation",
                sort_key="attendee__organisation",
            ),
            Column("ticket_type", label=_("Ticket type"), accessor="ticket_type.display_name"),
            Column("order", label=_("Order code"), accessor="order.code", sort_key="order__code"),
        ]


class BadgesView(CheckinListAccessMixin, View):
    """Name badges, in Swedish, for every ticket the list admits (of paid and invoiced orders), by the holder's last
    name, as an A4 PDF."""

    def get(self, request, pk):
        from tickets.badges import badges_pdf  # reportlab is heavy; load it when a PDF is asked for

        checkin_list = self.checkin_list
        tickets = list(
            admitted_tickets(checkin_list)
            .select_related("attendee", "ticket_type", "order__edition")
            .order_by("attendee__last_name", "attendee__first_name", "pk")
        )
        if not tickets:
            messages.info(request, gettext("There are no tickets on this list to make badges of."))
            return redirect(list_url("arrivals", checkin_list))
        pdf = badges_pdf(
            tickets, language=settings.LANGUAGE_CODE, heading=f"{checkin_list.name} – {checkin_list.edition.name}"
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="namnbrickor-{slugify(checkin_list.name)}.pdf"'
        return response
