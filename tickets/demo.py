"""The demo's ticket shop: what `seed_demo` puts on sale for the upcoming edition."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tickets.models import Capacity, InvoiceSettings, TicketType, Voucher


@transaction.atomic
def seed_ticket_shop(edition):
    """Capacities “Konferens” (800, shared by the pass and the day passes) and “Bankett” (400); the four ticket
    types on sale until the conference starts; a municipal voucher; the seller's details for invoices."""
    konferens, _ = Capacity.objects.get_or_create(edition=edition, name="Konferens", defaults={"size": 800})
    bankett, _ = Capacity.objects.get_or_create(edition=edition, name="Bankett", defaults={"size": 400})
    sale_ends_at = timezone.make_aware(dt.datetime.combine(edition.starts_on, dt.time(8, 0)))
    types = [
        {
            "name": "Konferenspass",
            "name_en": "Conference pass",
            "kind": TicketType.Kind.CONFERENCE,
            "description": "Båda konferensdagarna: alla pass, lunch och fika.",
            "description_en": "Both conference days: every session, lunch and coffee.",
            "price": Decimal("4950.00"),
            "vat_rate": Decimal("25.00"),
            "capacity": konferens,
        },
        {
            "name": "Dagpass dag 1",
            "name_en": "Day pass, day 1",
            "kind": TicketType.Kind.DAY,
            "valid_on": edition.starts_on,
            "description": "Konferensens första dag med lunch och fika.",
            "description_en": "The first conference day with lunch and coffee.",
            "price": Decimal("2950.00"),
            "vat_rate": Decimal("25.00"),
            "capacity": konferens,
        },
        {
            "name": "Dagpass dag 2",
            "name_en": "Day pass, day 2",
            "kind": TicketType.Kind.DAY,
            "valid_on": edition.ends_on,
            "description": "Konferensens andra dag med lunch och fika.",
            "description_en": "The second conference day with lunch and coffee.",
            "price": Decimal("2950.00"),
            "vat_rate": Decimal("25.00"),
            "capacity": konferens,
        },
        {
            "name": "Bankett",
            "name_en": "Banquet",
            "kind": TicketType.Kind.BANQUET,
            "description": "Trerättersmiddag första kvällen, då vinnaren av Omfamningen tillkännages.",
            "description_en": "Three-course dinner on the first evening, when the winner of Omfamningen is revealed.",
            "price": Decimal("1195.00"),
            "vat_rate": Decimal("12.00"),
            "asks_dietary_needs": True,
            "capacity": bankett,
        },
    ]
    for order, spec in enumerate(types, start=1):
        capacity = spec.pop("capacity")
        ticket_type, created = TicketType.objects.get_or_create(
            edition=edition, name=spec.pop("name"), defaults={**spec, "sort_order": order, "sale_ends_at": sale_ends_at}
        )
        if created:
            ticket_type.capacities.set([capacity])
    voucher, created = Voucher.objects.get_or_create(
        edition=edition,
        code="KOMMUN10",
        defaults={"kind": Voucher.Kind.PERCENT, "value": Decimal("10"), "max_uses": 50, "note": "Demo"},
    )
    if created:
        voucher.ticket_types.set(TicketType.objects.filter(edition=edition).exclude(kind=TicketType.Kind.BANQUET))
    seller = InvoiceSettings.load()
    if not seller.organisation_number:
        seller.seller_name = "Trygg & Säker Konferens AB"
        seller.organisation_number = "559000-0005"
        seller.vat_number = "SE559000000501"
        seller.address = "Exempelgatan 1\n411 01 Göteborg"
        seller.email = "faktura@tryggochsaker.se"
        seller.bankgiro = "123-4567"
        seller.save()


FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Johan",
    "Sara",
    "Per",
    "Eva",
    "Mikael",
    "Lena",
    "Ahmed",
    "Fatima",
    "Oskar",
    "Elin",
    "Nils",
    "Amina",
    "Jonas",
    "Sofia",
    "Henrik",
    "Ida",
    "Mats",
    "Leila",
    "Gustav",
]
LAST_NAMES = [
    "Exempelsson",
    "Demodotter",
    "Provberg",
    "Testlund",
    "Fiktivsson",
    "Påhittad",
    "Låtsasson",
    "Exempelqvist",
]
ORGANISATIONS = [
    ("Exempelstads kommun", "212000-1355"),
    ("Region Demolän", "232100-0016"),
    ("Provbo kommun", "212000-0142"),
    ("Säkerhetsbolaget Demo AB", "556036-0793"),
    ("Testfors kommun", "212000-2494"),
]
TITLES = ["Säkerhetschef", "Trygghetssamordnare", "Kommunpolis", "Beredskapssamordnare", "Brottsförebyggare"]
DIETS = ["", "", "", "Vegetarisk", "Glutenfri", "Laktosfri", "Vegan", "Nötallergi"]


@transaction.atomic
def seed_demo_orders(edition, *, count=40):
    """About 40 orders of fictional people (names that say so): card and invoice, paid, pending, one cancelled,
    one refunded. Made through the services, without email and without Stripe. Skipped if the edition has
    orders."""
    import random

    from tickets.models import Order
    from tickets.services.invoices import place_invoice_order
    from tickets.services.orders import reserve, save_attendees, save_buyer, transition

    if Order.objects.filter(edition=edition).exists():
        return
    rng = random.Random(edition.year)  # noqa: S311  (demo data, the same on every run)
    types = {t.kind: t for t in TicketType.objects.filter(edition=edition).order_by("sort_order")}
    conference_pass, banquet = types[TicketType.Kind.CONFERENCE], types[TicketType.Kind.BANQUET]
    day_passes = list(TicketType.objects.filter(edition=edition, kind=TicketType.Kind.DAY))
    for number in range(count):
        people = rng.choice([1, 1, 1, 2, 2, 3])
        first_type = rng.choice([conference_pass, conference_pass, conference_pass, *day_passes])
        quantities = {first_type.pk: people}
        if rng.random() < 0.7:
            quantities[banquet.pk] = people
        order = reserve(edition, quantities, language="sv" if rng.random() < 0.9 else "en")
        organisation, org_number = rng.choice(ORGANISATIONS)
        attendees = []
        for _ in range(people):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            attendees.append(
                {
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first.lower()}.{last.lower()}@example.org".replace("å", "a").replace("ä", "a"),
                    "organisation": organisation,
                    "job_title": rng.choice(TITLES),
                    "dietary_needs": rng.choice(DIETS) if banquet.pk in quantities else "",
                }
            )
        save_attendees(order, attendees)
        by_invoice = number % 3 == 0
        buyer = attendees[0]
        save_buyer(
            order,
            {
                "buyer_kind": Order.BuyerKind.ORGANISATION if by_invoice else Order.BuyerKind.PERSON,
                "buyer_name": f"{buyer['first_name']} {buyer['last_name']}",
                "buyer_email": buyer["email"],
                "organisation_name": organisation if by_invoice else "",
                "organisation_number": org_number if by_invoice else "",
                "invoice_address": "Box 100" if by_invoice else "",
                "invoice_postcode": "100 00" if by_invoice else "",
                "invoice_city": "Exempelstad" if by_invoice else "",
                "reference": f"Ref {1000 + number}" if by_invoice else "",
                "payment_method": Order.PaymentMethod.INVOICE if by_invoice else Order.PaymentMethod.CARD,
            },
        )
        if by_invoice:
            order, _ = place_invoice_order(order, notify=False)
            if number % 2 == 0:
                transition(order, Order.Status.PAID, actor="demo", reason="invoice paid")
        elif number == count - 1:
            continue  # still at the card payment: pending, holding its places
        else:
            order.stripe_payment_intent = f"pi_demo_{order.code}"
            order.save(update_fields=["stripe_payment_intent"])
            transition(order, Order.Status.PAID, actor="demo", reason="card payment")
            if number == 1:
                transition(order, Order.Status.CANCELED, actor="demo", reason="cancelled by the buyer")
            elif number == 2:
                transition(order, Order.Status.REFUNDED, actor="demo", reason="refunded in Stripe")


@transaction.atomic
def seed_checkin_lists(edition):
    """The doors: each conference day admits the conference pass and that day's pass; the banquet its tickets."""
    from tickets.models import CheckinList

    types = list(TicketType.objects.filter(edition=edition))
    passes = [t for t in types if t.kind == TicketType.Kind.CONFERENCE]
    for number, day in enumerate(
        [edition.starts_on + dt.timedelta(days=offset) for offset in range(edition.days)], start=1
    ):
        admits = passes + [t for t in types if t.kind == TicketType.Kind.DAY and t.valid_on == day]
        checkin_list, created = CheckinList.objects.get_or_create(edition=edition, name=f"Konferens dag {number}")
        if created:
            checkin_list.ticket_types.set(admits)
    banquet, created = CheckinList.objects.get_or_create(edition=edition, name="Bankett")
    if created:
        banquet.ticket_types.set([t for t in types if t.kind == TicketType.Kind.BANQUET])
