"""The organisers' admin for ticket sales: the catalogue, the orders and their actions, and the dashboard panel."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from tests.factories import EditionFactory, VoucherFactory, ticket_shop
from tickets.admin import sek
from tickets.models import Invoice, Order, Refund, TicketType
from tickets.services.invoices import place_invoice_order
from tickets.services.orders import availability, reserve, save_attendees, save_buyer, transition

pytestmark = pytest.mark.django_db

ORDERS = "ticket_orders"


# --- Data ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def shop():
    today = timezone.localdate()
    edition = EditionFactory(year=today.year + 1, starts_on=today + dt.timedelta(days=30))
    return ticket_shop(edition, conference=10, banquet=5)


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "x")


def admin_access():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


@pytest.fixture
def editor(django_user_model):
    """May use the admin (as every editor), but has no permission on orders."""
    user = django_user_model.objects.create_user("redaktor", password="x")
    group, _ = Group.objects.get_or_create(name="Redaktörer")
    group.permissions.add(admin_access())
    user.groups.add(group)
    return user


@pytest.fixture
def organiser(django_user_model):
    user = django_user_model.objects.create_user("arrangor", password="x")
    group, _ = Group.objects.get_or_create(name="Arrangörer")
    group.permissions.add(admin_access())
    user.groups.add(group)
    return user


def buyer(email="anna.ek@example.se", organisation="Örebro kommun", name="Anna Ek"):
    return {
        "buyer_kind": "organisation",
        "buyer_name": name,
        "buyer_email": email,
        "organisation_name": organisation,
        "organisation_number": "212000-1355",
        "invoice_address": "Box 300",
        "invoice_postcode": "701 35",
        "invoice_city": "Örebro",
        "reference": "KS-4711",
        "payment_method": "invoice",
    }


def invoiced_order(shop, *, quantities=None, **buyer_fields):
    order = reserve(shop.edition, quantities or {shop.conference_pass.pk: 2, shop.banquet.pk: 1})
    order = save_buyer(order, buyer(**buyer_fields))
    order, invoice = place_invoice_order(order)
    return order, invoice


def pending_order(shop, quantities):
    return reserve(shop.edition, quantities)


def inspect_url(order):
    return reverse(f"{ORDERS}:inspect", args=[order.pk])


# --- The listing --------------------------------------------------------------------------------------------------


def test_the_order_listing_shows_code_buyer_status_and_total(client, admin, shop):
    order, _ = invoiced_order(shop)
    client.force_login(admin)

    response = client.get(reverse(f"{ORDERS}:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert order.code in html
    assert "Örebro kommun" in html
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert sek(Decimal("11100.00")) in html  # 2 × 4 950 + 1 200, formatted as the admin shows money


def test_orders_are_found_by_the_buyers_email(client, admin, shop):
    wanted, _ = invoiced_order(shop, email="anna.ek@example.se")
    other, _ = invoiced_order(shop, email="bo.berg@example.se", organisation="Umeå kommun", name="Bo Berg")
    client.force_login(admin)

    response = client.get(reverse(f"{ORDERS}:index"), {"q": "anna.ek@"})

    codes = {order.code for order in response.context["object_list"]}
    assert codes == {wanted.code}
    assert other.code not in response.content.decode()


def test_orders_are_filtered_by_status(client, admin, shop):
    invoiced, _ = invoiced_order(shop)
    pending = pending_order(shop, {shop.banquet.pk: 1})
    client.force_login(admin)

    response = client.get(reverse(f"{ORDERS}:index"), {"status": Order.Status.PENDING})

    assert [order.code for order in response.context["object_list"]] == [pending.code]
    assert invoiced.code not in response.content.decode()


def test_orders_are_filtered_by_ticket_type_once_each(client, admin, shop):
    with_banquet, _ = invoiced_order(shop)  # two passes and a banquet
    passes_only = pending_order(shop, {shop.conference_pass.pk: 2})
    client.force_login(admin)

    banquet = client.get(reverse(f"{ORDERS}:index"), {"ticket_type": shop.banquet.pk}).context["object_list"]
    passes = client.get(reverse(f"{ORDERS}:index"), {"ticket_type": shop.conference_pass.pk}).context["object_list"]

    assert [order.code for order in banquet] == [with_banquet.code]
    assert sorted(order.code for order in passes) == sorted([with_banquet.code, passes_only.code])


def test_orders_have_no_add_edit_or_delete_urls(client, admin, shop):
    order, _ = invoiced_order(shop)
    for name, args in (("add", []), ("edit", [order.pk]), ("delete", [order.pk]), ("copy", [order.pk])):
        with pytest.raises(NoReverseMatch):
            reverse(f"{ORDERS}:{name}", args=args)
    client.force_login(admin)
    for url in ("new/", f"edit/{order.pk}/", f"delete/{order.pk}/"):
        assert client.get(f"/admin/tickets/orders/{url}").status_code == 404
        assert client.post(f"/admin/tickets/orders/{url}").status_code == 404
    assert Order.objects.filter(pk=order.pk).exists()


# --- The order's page ---------------------------------------------------------------------------------------------


def test_the_order_page_shows_attendees_invoice_vat_and_log(client, admin, shop):
    order, invoice = invoiced_order(shop)
    attendee = order.attendees.get(position=1)
    attendee.first_name, attendee.last_name = "Cecilia", "Citron"
    attendee.save()
    client.force_login(admin)

    response = client.get(inspect_url(order))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cecilia Citron" in html
    assert "Konferenspass" in html and "Bankett" in html
    assert invoice.number in html
    assert reverse(f"{ORDERS}:invoice_pdf", args=[invoice.pk]) in html
    log = [entry.message for entry in response.context["log_entries"]]
    assert len(log) == ModelLogEntry.objects.for_instance(order).count() == 2
    assert invoice.number in log[0]  # newest first: "Awaiting payment → Invoiced (buyer: invoice TS-…)"
    for message in log:
        assert str(message) in html
    rates = [row["rate"] for row in response.context["vat_rows"]]
    assert rates == [Decimal("25.00"), Decimal("12.00")]
    assert response.context["mark_paid_url"] and response.context["cancel_url"]


def test_the_invoice_pdf_is_downloaded_through_the_admin(client, admin, shop):
    _, invoice = invoiced_order(shop)
    client.force_login(admin)

    response = client.get(reverse(f"{ORDERS}:invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"{invoice.number}.pdf" in response["Content-Disposition"]


def test_the_actions_are_not_offered_for_an_order_that_is_not_invoiced(client, admin, shop):
    order = pending_order(shop, {shop.banquet.pk: 1})
    client.force_login(admin)

    response = client.get(inspect_url(order))

    assert response.status_code == 200
    assert response.context["mark_paid_url"] is None and response.context["cancel_url"] is None


def test_marking_an_invoice_paid_asks_for_confirmation_first(client, admin, shop):
    order, _ = invoiced_order(shop)
    client.force_login(admin)

    response = client.get(reverse(f"{ORDERS}:mark_paid", args=[order.pk]))

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED


def test_marking_an_invoice_paid_makes_the_order_paid_and_logs_who_and_why(client, admin, shop):
    order, _ = invoiced_order(shop)
    client.force_login(admin)

    response = client.post(reverse(f"{ORDERS}:mark_paid", args=[order.pk]), {"reason": "Bankgiro 2025-03-01"})

    assert response.status_code == 302
    assert response["Location"] == inspect_url(order)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.paid_at
    entry = ModelLogEntry.objects.for_instance(order).filter(action="tickets.order.status").latest("timestamp")
    assert entry.user == admin
    assert entry.data["to"] == "paid" and entry.data["reason"] == "Bankgiro 2025-03-01"
    shown = list(client.get(response["Location"]).context["messages"])
    assert [m.level_tag for m in shown] == ["success"] and order.code in str(shown[0])


def test_a_refused_action_shows_the_services_message(client, admin, shop):
    order = pending_order(shop, {shop.banquet.pk: 1})
    client.force_login(admin)

    response = client.post(reverse(f"{ORDERS}:mark_paid", args=[order.pk]), follow=True)

    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = gettext("Only an invoiced order can be marked as paid.")  # the service's TicketingError.message
    assert [(m.level_tag, str(m).strip()) for m in response.context["messages"]] == [("error", expected)]
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_cancelling_an_invoiced_order_makes_a_credit_note_and_frees_the_places(client, admin, shop):
    order, invoice = invoiced_order(shop)
    assert availability(shop.edition)[shop.conference_pass.pk] == 8
    client.force_login(admin)

    response = client.post(reverse(f"{ORDERS}:cancel", args=[order.pk]), {"reason": "Avbokad per telefon"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    credit_note = Invoice.objects.get(order=order, kind=Invoice.Kind.CREDIT_NOTE)
    assert credit_note.credits == invoice and credit_note.total == -invoice.total
    left = availability(shop.edition)
    assert left[shop.conference_pass.pk] == 10 and left[shop.banquet.pk] == 5
    assert credit_note.number in client.get(inspect_url(order)).content.decode()


# --- Permissions --------------------------------------------------------------------------------------------------


def test_an_editor_without_order_permissions_gets_403_not_the_orders(client, editor, shop):
    order, _ = invoiced_order(shop)
    client.force_login(editor)

    for url in (
        reverse(f"{ORDERS}:index"),
        reverse(f"{ORDERS}:index_results"),
        inspect_url(order),
        reverse(f"{ORDERS}:invoice_pdf", args=[order.invoices.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert order.code not in response.content.decode()
        assert "anna.ek@example.se" not in response.content.decode()


def test_an_editor_cannot_mark_an_invoice_paid(client, editor, shop):
    order, _ = invoiced_order(shop)
    client.force_login(editor)

    assert client.post(reverse(f"{ORDERS}:mark_paid", args=[order.pk])).status_code == 403
    assert client.post(reverse(f"{ORDERS}:cancel", args=[order.pk])).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.INVOICED


def test_view_order_lets_a_user_read_orders_but_not_act_on_them(client, editor, shop):
    editor.user_permissions.add(Permission.objects.get(content_type__app_label="tickets", codename="view_order"))
    order, _ = invoiced_order(shop)
    client.force_login(editor)

    assert client.get(reverse(f"{ORDERS}:index")).status_code == 200
    page = client.get(inspect_url(order))
    assert page.status_code == 200 and page.context["mark_paid_url"] is None
    assert client.post(reverse(f"{ORDERS}:mark_paid", args=[order.pk])).status_code == 403


def test_the_organisers_group_sees_and_acts_on_orders(client, organiser, shop):
    order, _ = invoiced_order(shop)
    client.force_login(organiser)

    assert client.get(reverse(f"{ORDERS}:index")).status_code == 200
    client.post(reverse(f"{ORDERS}:mark_paid", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


# --- The catalogue ------------------------------------------------------------------------------------------------


def test_a_ticket_type_is_created_through_the_admin_form(client, admin, shop):
    client.force_login(admin)

    response = client.post(
        reverse("ticket_types:add"),
        {
            "edition": shop.edition.pk,
            "kind": "other",
            "name": "Studentpass",
            "name_en": "Student pass",
            "description": "",
            "description_en": "",
            "valid_on": "",
            "price": "950.00",
            "vat_rate": "25.00",
            "capacities": [shop.konferens.pk],
            "sale_starts_at": "",
            "sale_ends_at": "",
            "max_per_order": "2",
            "sort_order": "5",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    student = TicketType.objects.get(name="Studentpass")
    assert list(student.capacities.all()) == [shop.konferens]
    assert availability(shop.edition)[student.pk] == 10


def test_the_ticket_type_listing_shows_places_left(client, admin, shop):
    pending_order(shop, {shop.banquet.pk: 2})
    client.force_login(admin)

    response = client.get(reverse("ticket_types:index"), {"edition": shop.edition.pk})

    assert response.status_code == 200
    view = response.context["view"]
    assert view.places_left(shop.banquet) == 3
    assert view.places_left(shop.conference_pass) == 10


def test_ticket_types_are_found_by_part_of_their_name(client, admin, shop):
    client.force_login(admin)

    response = client.get(reverse("ticket_types:index"), {"q": "agpass"})

    assert {t.name for t in response.context["object_list"]} == {"Dagpass dag 1", "Dagpass dag 2"}


def test_the_voucher_listing_counts_the_discounted_tickets_of_live_orders(client, admin, shop):
    voucher = VoucherFactory(edition=shop.edition, code="SKOLA", max_uses=5, ticket_types=[shop.conference_pass])
    reserve(shop.edition, {shop.conference_pass.pk: 2, shop.banquet.pk: 1}, voucher_code="skola")
    client.force_login(admin)

    response = client.get(reverse("ticket_vouchers:index"))

    assert [(v.code, v.used) for v in response.context["object_list"]] == [(voucher.code, 2)]
    assert "2 / 5" in response.content.decode()


def test_the_catalogue_listings_open(client, admin, shop):
    client.force_login(admin)
    for name in ("ticket_types", "ticket_capacities", "ticket_vouchers"):
        response = client.get(reverse(f"{name}:index"))
        assert response.status_code == 200, name


# --- The dashboard ------------------------------------------------------------------------------------------------


def panel_rows(response):
    panel = next(p for p in response.context["panels"] if p.name == "ticket_sales")
    context = panel.get_context_data({"request": response.wsgi_request})
    return {row["capacity"].name: (row["sold"], row["held"], row["free"]) for row in context["capacities"]}, context


def test_the_dashboard_panel_shows_sold_held_and_free_places_per_capacity(client, admin, shop):
    invoiced_order(shop, quantities={shop.conference_pass.pk: 3})
    pending_order(shop, {shop.conference_pass.pk: 2, shop.banquet.pk: 1})
    expired = reserve(shop.edition, {shop.banquet.pk: 1}, now=timezone.now() - dt.timedelta(hours=2))
    assert not expired.holds_places()
    client.force_login(admin)

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    rows, context = panel_rows(response)
    assert rows == {"Konferens": (3, 2, 5), "Bankett": (0, 1, 4)}
    html = response.content.decode()
    assert 'data-capacity="Konferens"' in html
    assert [row["rate"] for row in context["revenue"]] == [Decimal("25.00")]
    assert context["revenue_total"].startswith("14")  # 3 × 4 950 kr


def test_the_dashboard_panel_costs_the_same_queries_for_any_number_of_capacities(rf, admin, shop):
    from tests.factories import CapacityFactory
    from tickets.admin import TicketSalesPanel

    request = rf.get("/admin/")
    request.user = admin
    with CaptureQueriesContext(connection) as two:
        TicketSalesPanel().get_context_data({"request": request})
    for n in range(3):
        CapacityFactory(edition=shop.edition, name=f"Workshop {n}")
    with CaptureQueriesContext(connection) as five:
        context = TicketSalesPanel().get_context_data({"request": request})
    assert len(context["capacities"]) == 5
    assert len(five) == len(two) <= 3


def test_the_dashboard_panel_is_for_organisers_only(client, editor, shop):
    client.force_login(editor)

    response = client.get(reverse("wagtailadmin_home"))

    assert all(panel.name != "ticket_sales" for panel in response.context["panels"])


def test_a_ticket_type_with_sold_tickets_is_not_deleted(client, admin, shop):
    invoiced_order(shop)
    client.force_login(admin)

    response = client.post(reverse("ticket_types:delete", args=[shop.banquet.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_types:edit", args=[shop.banquet.pk])
    assert TicketType.objects.filter(pk=shop.banquet.pk).exists()
    assert client.post(reverse("ticket_types:delete", args=[shop.day_two.pk])).status_code == 302
    assert not TicketType.objects.filter(pk=shop.day_two.pk).exists()


# --- Actions on confirmed orders: resend, cancel with refund, refund part, edit an attendee --------------------------


def paid_card_order(shop, quantities=None):
    """A card order Stripe has paid (as the webhook leaves it), with its attendees filled in."""
    quantities = quantities or {shop.conference_pass.pk: 1, shop.banquet.pk: 1}
    order = reserve(shop.edition, quantities)
    save_attendees(
        order,
        [
            {"first_name": f"Deltagare{i}", "last_name": "Kortsson", "email": f"d{i}@example.se"}
            for i in range(order.attendees.count())
        ],
    )
    order = save_buyer(
        order,
        {
            "buyer_kind": "person",
            "buyer_name": "Bo Berg",
            "buyer_email": "bo.berg@example.se",
            "payment_method": "card",
        },
    )
    with transaction.atomic():
        order = transition(order, Order.Status.PAID, actor="test")
    order.payment_method = Order.PaymentMethod.CARD
    order.stripe_payment_intent = "pi_x"
    order.save(update_fields=["payment_method", "stripe_payment_intent"])
    return order


def action_url(name, order, *args):
    return reverse(f"{ORDERS}:{name}", args=[order.pk, *args])


def shown_messages(response):
    """(level, text) of the messages on the page (Wagtail's messages hold escaped HTML)."""
    return [(m.level_tag, unescape(str(m)).strip()) for m in response.context["messages"]]


def service_message(response, text, **params):
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return gettext(text) % params if params else gettext(text)


def test_a_paid_card_order_offers_resend_refund_part_and_cancel(client, admin, shop):
    order = paid_card_order(shop)
    client.force_login(admin)

    context = client.get(inspect_url(order)).context

    assert context["resend_url"] == action_url("resend", order)
    assert context["refund_part_url"] == action_url("refund_part", order)
    assert context["cancel_paid_url"] == action_url("cancel_paid", order)
    assert context["mark_paid_url"] is None and context["cancel_url"] is None
    assert [row["edit_url"] for row in context["attendees"]] == [
        action_url("edit_attendee", order, attendee.pk) for attendee in order.attendees.order_by("position")
    ]


def test_an_invoiced_order_offers_resend_but_no_card_refund(client, admin, shop):
    order, _ = invoiced_order(shop)
    client.force_login(admin)

    context = client.get(inspect_url(order)).context

    assert context["resend_url"] and context["mark_paid_url"] and context["cancel_url"]
    assert context["refund_part_url"] is None and context["cancel_paid_url"] is None


def test_a_pending_order_offers_none_of_the_new_actions(client, admin, shop):
    order = pending_order(shop, {shop.banquet.pk: 1})
    client.force_login(admin)

    context = client.get(inspect_url(order)).context

    assert context["resend_url"] is None and context["refund_part_url"] is None
    assert context["cancel_paid_url"] is None
    assert all(row["edit_url"] is None for row in context["attendees"])


def test_resending_the_confirmation_sends_one_more_email(client, admin, shop, django_capture_on_commit_callbacks):
    order, _ = invoiced_order(shop)
    client.force_login(admin)
    assert client.get(action_url("resend", order)).status_code == 200
    before = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url("resend", order))

    assert response.status_code == 302 and response["Location"] == inspect_url(order)
    assert len(mail.outbox) == before + 1
    assert mail.outbox[-1].to == ["anna.ek@example.se"]
    entry = ModelLogEntry.objects.for_instance(order).get(action="tickets.order.resent")
    assert entry.user == admin
    assert [level for level, _ in shown_messages(client.get(inspect_url(order)))] == ["success"]


def test_resending_is_not_limited_for_the_organiser(client, admin, shop, django_capture_on_commit_callbacks):
    order, _ = invoiced_order(shop)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):  # the buyer may ask three times an hour
            client.post(action_url("resend", order))

    assert len(mail.outbox) == 5


def test_resending_for_a_pending_order_shows_the_services_message(client, admin, shop):
    order = pending_order(shop, {shop.banquet.pk: 1})
    client.force_login(admin)

    response = client.post(action_url("resend", order), follow=True)

    expected = service_message(response, "Only a paid or invoiced order has tickets to send.")
    assert shown_messages(response) == [("error", expected)]
    assert not ModelLogEntry.objects.for_instance(order).filter(action="tickets.order.resent").exists()


def test_the_refund_form_shows_what_was_paid_and_refunded(client, admin, shop):
    order = paid_card_order(shop)
    Refund.objects.create(order=order, amount=Decimal("200.00"), reason="earlier")
    client.force_login(admin)

    response = client.get(action_url("refund_part", order))

    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = [sek(Decimal("6150.00")), sek(Decimal("200.00")), sek(Decimal("5950.00"))]
    assert [value for _, value in response.context["details"]] == expected
    html = response.content.decode()
    assert 'name="amount"' in html and 'name="reason"' in html
    for value in expected:
        assert value in html


def test_refunding_part_of_a_paid_card_order_makes_a_refund(client, admin, shop):
    order = paid_card_order(shop)
    client.force_login(admin)

    response = client.post(action_url("refund_part", order), {"amount": "500", "reason": "Ingen bankett"})

    assert response.status_code == 302 and response["Location"] == inspect_url(order)
    refund = Refund.objects.get(order=order)
    assert refund.amount == Decimal("500.00") and refund.reason == "Ingen bankett"
    entry = ModelLogEntry.objects.for_instance(order).get(action="tickets.order.refund")
    assert entry.user == admin
    assert entry.data == {"refund": refund.pk, "amount": "500.00", "reason": "Ingen bankett", "actor": admin.username}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert [level for level, _ in shown_messages(client.get(inspect_url(order)))] == ["success"]


def test_refunding_more_than_was_paid_shows_the_services_message(client, admin, shop):
    order = paid_card_order(shop)
    client.force_login(admin)

    response = client.post(action_url("refund_part", order), {"amount": "99999", "reason": "Fel"})

    assert response.status_code == 200  # the form again, with what was typed in
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        left = number_format(order.total, decimal_pos=2, force_grouping=True)  # "6 150,00"
    expected = service_message(response, "The amount must be more than 0 and at most %(left)s kr.", left=left)
    assert shown_messages(response) == [("error", expected)]
    assert expected in response.content.decode()
    assert response.context["form"]["amount"].value() == "99999"
    assert not Refund.objects.filter(order=order).exists()


def test_an_invoiced_order_cannot_be_refunded_through_stripe(client, admin, shop):
    order, _ = invoiced_order(shop)
    client.force_login(admin)

    response = client.post(action_url("refund_part", order), {"amount": "100", "reason": "Rabatt"})

    expected = service_message(response, "Only a paid card order can be refunded through Stripe.")
    assert shown_messages(response) == [("error", expected)]
    assert not Refund.objects.exists()


def test_cancelling_a_paid_card_order_refunds_it_in_full_and_frees_the_places(client, admin, shop):
    order = paid_card_order(shop)
    assert availability(shop.edition)[shop.banquet.pk] == 4
    client.force_login(admin)

    page = client.get(action_url("cancel_paid", order))
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        assert sek(order.total) in page.content.decode()
    response = client.post(action_url("cancel_paid", order), {"reason": "Sjuk"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    refund = Refund.objects.get(order=order)
    assert refund.amount == order.total == Decimal("6150.00")
    left = availability(shop.edition)
    assert left[shop.conference_pass.pk] == 10 and left[shop.banquet.pk] == 5
    entry = ModelLogEntry.objects.for_instance(order).filter(action="tickets.order.status").latest("pk")
    assert entry.user == admin and entry.data["to"] == "canceled" and entry.data["reason"] == "Sjuk"
    assert [level for level, _ in shown_messages(client.get(inspect_url(order)))] == ["success"]


def test_cancelling_a_pending_order_here_shows_the_services_message(client, admin, shop):
    order = pending_order(shop, {shop.banquet.pk: 1})
    client.force_login(admin)

    response = client.post(action_url("cancel_paid", order), follow=True)

    expected = service_message(response, "Only a paid or invoiced order can be cancelled.")
    assert shown_messages(response) == [("error", expected)]
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def attendee_data(**changes):
    return {
        "first_name": "Cecilia",
        "last_name": "Citron",
        "email": "cecilia@example.se",
        "organisation": "Lunds kommun",
        "job_title": "Säkerhetschef",
        "dietary_needs": "Vegan",
        "accessibility_needs": "",
        **changes,
    }


def test_editing_an_attendee_changes_the_details_and_logs_it(client, admin, shop):
    order, _ = invoiced_order(shop)
    attendee = order.attendees.get(position=2)
    client.force_login(admin)

    page = client.get(action_url("edit_attendee", order, attendee.pk))
    assert page.status_code == 200 and 'name="dietary_needs"' in page.content.decode()
    response = client.post(action_url("edit_attendee", order, attendee.pk), attendee_data())

    assert response.status_code == 302 and response["Location"] == inspect_url(order)
    attendee.refresh_from_db()
    assert (attendee.name, attendee.email, attendee.job_title, attendee.dietary_needs) == (
        "Cecilia Citron",
        "cecilia@example.se",
        "Säkerhetschef",
        "Vegan",
    )
    entry = ModelLogEntry.objects.for_instance(order).get(action="tickets.order.attendee")
    assert entry.user == admin and entry.data["attendee"] == 2
    assert [level for level, _ in shown_messages(client.get(inspect_url(order)))] == ["success"]


def test_an_attendee_is_edited_after_the_buyers_deadline(client, admin, shop):
    shop.edition.starts_on = timezone.localdate() - dt.timedelta(days=1)  # the buyer's deadline has passed
    shop.edition.save()
    order, _ = invoiced_order(shop)
    attendee = order.attendees.get(position=1)
    client.force_login(admin)

    client.post(action_url("edit_attendee", order, attendee.pk), attendee_data(first_name="Dagny"))

    attendee.refresh_from_db()
    assert attendee.first_name == "Dagny"


def test_an_attendee_without_a_name_is_refused_with_the_services_message(client, admin, shop):
    order, _ = invoiced_order(shop)
    attendee = order.attendees.get(position=1)
    client.force_login(admin)

    response = client.post(action_url("edit_attendee", order, attendee.pk), attendee_data(last_name=""))

    assert response.status_code == 200
    expected = service_message(response, "Enter the attendee's first and last name.")
    assert shown_messages(response) == [("error", expected)]
    attendee.refresh_from_db()
    assert attendee.first_name == ""


def test_an_attendee_of_another_order_is_not_found(client, admin, shop):
    order, _ = invoiced_order(shop)
    other, _ = invoiced_order(shop, email="bo.berg@example.se")
    client.force_login(admin)

    url = action_url("edit_attendee", order, other.attendees.first().pk)
    assert client.get(url).status_code == 404
    assert client.post(url, attendee_data()).status_code == 404


def test_an_editor_gets_403_on_every_new_action(client, editor, shop):
    order = paid_card_order(shop)
    attendee = order.attendees.first()
    client.force_login(editor)

    for url, data in (
        (action_url("resend", order), {}),
        (action_url("cancel_paid", order), {"reason": "x"}),
        (action_url("refund_part", order), {"amount": "100", "reason": "x"}),
        (action_url("edit_attendee", order, attendee.pk), attendee_data()),
    ):
        assert client.get(url).status_code == 403, url
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "bo.berg@example.se" not in response.content.decode()
    order.refresh_from_db()
    attendee.refresh_from_db()
    assert order.status == Order.Status.PAID and not Refund.objects.exists()
    assert attendee.first_name == "Deltagare0"
    assert not ModelLogEntry.objects.for_instance(order).filter(action="tickets.order.resent").exists()


def test_view_order_does_not_let_a_user_act_on_a_paid_order(client, editor, shop):
    editor.user_permissions.add(Permission.objects.get(content_type__app_label="tickets", codename="view_order"))
    order = paid_card_order(shop)
    client.force_login(editor)

    context = client.get(inspect_url(order)).context
    assert context["resend_url"] is None and context["refund_part_url"] is None
    assert all(row["edit_url"] is None for row in context["attendees"])
    assert client.post(action_url("refund_part", order), {"amount": "1", "reason": "x"}).status_code == 403
