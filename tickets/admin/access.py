"""Who may see and change ticket sales in the admin: the permission helpers and policies, the access mixin of the
order views, and the small helpers the other admin modules share (usage of capacities, money, CSV language)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.views.defaults import permission_denied
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from events.jury import ORGANISER_GROUP
from tickets.models import Attendee, Capacity, Invoice, Order, TicketType, Voucher, WaitingListEntry

# --- Permissions --------------------------------------------------------------------------------------------------


def is_organiser(user):
    """Superusers and the Arrangörer group (the group is read once per user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_tickets_is_organiser", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANISER_GROUP).exists()
        user._tickets_is_organiser = cached
    return cached


def can_view_orders(user):
    """Organisers, or whoever may view or change orders."""
    return is_organiser(user) or (
        user.is_active and (user.has_perm("tickets.view_order") or user.has_perm("tickets.change_order"))
    )


def can_change_orders(user):
    """Organisers, or whoever may change orders: marking an invoice paid, cancelling with a credit note."""
    return is_organiser(user) or (user.is_active and user.has_perm("tickets.change_order"))


class OrderPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds, edits through a form or deletes an order in the admin: money and tickets change only through the
    services. Organisers see orders; changing (the service actions) needs change_order or the organisers' group."""

    def user_has_permission(self, user, action):
        if action == "view":
            return can_view_orders(user)
        if action == "change":
            return can_change_orders(user)
        return False


class CataloguePermissionPolicy(ModelPermissionPolicy):
    """The organisers' group sets up what is for sale; anyone else needs the model's permissions."""

    def user_has_permission(self, user, action):
        return is_organiser(user) or super().user_has_permission(user, action)


class OrderDataPermissionPolicy(ModelPermissionPolicy):
    """Attendees, invoices and the waiting list are read (and exported) by whoever may see orders; nothing changes
    them through a form in the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and can_view_orders(user)


register_permission_policy(Order, OrderPermissionPolicy(Order))
for _model in (TicketType, Capacity, Voucher):
    register_permission_policy(_model, CataloguePermissionPolicy(_model))
for _model in (Attendee, Invoice, WaitingListEntry):
    register_permission_policy(_model, OrderDataPermissionPolicy(_model))


class OrdersAccessMixin:
    """A plain 403 for anyone who may not see (or change) orders: Wagtail's own check would redirect to the
    dashboard, and the order's data must not be rendered."""

    needs_change = False

    def dispatch(self, request, *args, **kwargs):
        allowed = can_change_orders if self.needs_change else can_view_orders
        if not allowed(request.user):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)


# --- Reads --------------------------------------------------------------------------------------------------------


def with_usage(capacities, *, now=None):
    """`capacities` annotated with `sold` (tickets of paid or invoiced orders) and `held` (tickets of pending orders
    whose hold has not run out), in one query: the same orders as Order.objects.holding()."""
    now = now or timezone.now()
    status = "ticket_types__tickets__order__status"
    sold = Q(**{f"{status}__in": Order.CONFIRMED})
    held = Q(**{status: Order.Status.PENDING, "ticket_types__tickets__order__hold_expires_at__gt": now})
    return capacities.annotate(
        sold=Count("ticket_types__tickets", filter=sold), held=Count("ticket_types__tickets", filter=held)
    )


def free_places(capacity):
    return max(capacity.size - capacity.sold - capacity.held, 0)


def sek(amount):
    """4950 → “4 950,00 kr” in the admin's language."""
    if amount is None:
        return ""
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} kr"


class CsvInAdminLanguageMixin:
    """Wagtail streams a CSV export after the view has returned, when the admin's language (the user's preference)
    is no longer active: each row is written in the language the view ran in."""

    def stream_csv(self, queryset):
        language = translation.get_language()  # now, while the view runs; the generator runs later
        return self._stream_in(language, super().stream_csv(queryset))

    @staticmethod
    def _stream_in(language, rows):
        while True:
            with translation.override(language):
                row = next(rows, None)
            if row is None:
                return
            yield row
