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
