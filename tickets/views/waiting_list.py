"""The waiting list's public page: a sold-out ticket type's visitors leave their name and email."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from events.models import Edition
from home.ratelimit import client_ip
from tickets.forms import WaitingListForm
from tickets.models import TicketType, WaitingListEntry
from tickets.services import TicketingError
from tickets.services.orders import availability, places_free
from tickets.services.waiting_list import join_waiting_list

from .registration import private


def _full_capacity(ticket_type, *, now):
    """The capacity that keeps `ticket_type` sold out (the one with the fewest places left)."""
    capacities = list(ticket_type.capacities.all())
    free = places_free(capacities, now=now)
    return min(capacities, key=lambda capacity: free[capacity.pk], default=None)


@private
@require_http_methods(["GET", "HEAD", "POST"])
def waiting_list(request, ticket_type_id):
    edition = Edition.objects.upcoming().first()
    ticket_type = get_object_or_404(TicketType, pk=ticket_type_id, edition=edition, is_active=True)
    now = timezone.now()
    capacity = _full_capacity(ticket_type, now=now)
    if capacity is None:
        raise Http404("A ticket type without a limit has no waiting list.")
    form = WaitingListForm(request.POST if request.method == "POST" else None)  # an empty POST is refused too
    context = {"ticket_type": ticket_type, "form": form, "edition": edition, "joined": None}
    if request.method == "POST" and form.is_valid():
        try:
            context["joined"] = join_waiting_list(
                capacity,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                language=request.LANGUAGE_CODE,
                ip=client_ip(request),
            )
        except TicketingError as refused:
            form.add_error(None, refused.message)
    if context["joined"]:
        context["ahead"] = WaitingListEntry.objects.filter(
            capacity=capacity, status=WaitingListEntry.Status.WAITING, created_at__lt=context["joined"].created_at
        ).count()
    context.update(forms=[form], has_errors=bool(form.errors))
    context["places_left"] = availability(edition, now=now).get(ticket_type.pk)
    context["offer_hours"] = settings.WAITING_LIST_OFFER_HOURS
    status = 400 if form.errors else 200
    return render(request, "tickets/waiting_list.html", context, status=status)
