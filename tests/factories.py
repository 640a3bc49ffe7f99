"""Test data with factory_boy: editions and the programme. Times are in Europe/Stockholm."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from events.models import Edition, Room, Session, SessionSpeaker, Speaker, Track

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day, hhmm):
    """A Stockholm time on `day`: at(day, "09:30")."""
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=STOCKHOLM)


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2040 + n)
    name = factory.LazyAttribute(lambda edition: f"Trygg & Säker {edition.year}")
    city = "Göteborg"
    venue = "Exempelhallen"
    starts_on = factory.LazyAttribute(lambda edition: dt.date(edition.year, 10, 9))
    ends_on = factory.LazyAttribute(lambda edition: edition.starts_on + dt.timedelta(days=1))


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Sal {n + 1}")
    sort_order = factory.Sequence(lambda n: n)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Spår {n + 1}")
    name_en = factory.Sequence(lambda n: f"Track {n + 1}")
    slug = factory.Sequence(lambda n: f"spar-{n + 1}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Talare Exempelsson {n + 1}")
    slug = factory.Sequence(lambda n: f"talare-exempelsson-{n + 1}")
    title = "Trygghetssamordnare"
    title_en = "Community safety coordinator"
    organisation = "Exempelstads kommun"
    bio = "Arbetar med trygghet i offentliga miljöer."
    bio_en = "Works on safety in public spaces."


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True  # the speakers hook writes its own rows

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"Pass {n + 1} om trygghet")
    title_en = factory.Sequence(lambda n: f"Session {n + 1} on safety")
    abstract = "<p>Om brottsförebyggande arbete.</p>"
    abstract_en = "<p>On crime prevention.</p>"
    kind = Session.Kind.TALK
    starts_at = factory.LazyAttribute(lambda session: at(session.edition.starts_on, "09:00"))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + dt.timedelta(minutes=45))
    room = factory.SubFactory(RoomFactory, edition=factory.SelfAttribute("..edition"))
    language = Session.Language.SWEDISH

    @factory.post_generation
    def with_speakers(session, create, speakers, **kwargs):
        for order, speaker in enumerate(speakers or []):
            SessionSpeaker.objects.create(session=session, speaker=speaker, sort_order=order)


# --- Awards -----------------------------------------------------------------------------------------------------


def award_round(
    home,
    *,
    edition=None,
    slug="testpriset",
    criteria=(("Synlig skillnad", 2), ("Samverkan", 1)),
    now=None,
    phase="nomination",
    **fields,
):
    """An awards index under `home` and a published award with `criteria` ((title, weight), …) whose round of
    `edition` is in `phase` ("before", "nomination", "judging" or "nominees") at `now`."""
    from django.utils import timezone

    from events.models import AwardCriterion, AwardIndexPage, AwardPage

    now = now or timezone.now()
    edition = edition or EditionFactory()
    index = AwardIndexPage.objects.child_of(home).first()
    if index is None:
        index = AwardIndexPage(title="Priser", slug="priser-test")
        home.add_child(instance=index)
        index.save_revision().publish()
    day = dt.timedelta(days=1)
    offsets = {"before": 1, "nomination": 0, "judging": -1, "nominees": -2}[phase] * 10 * day
    opens = now + offsets - 5 * day
    dates = {
        "nominations_open_at": opens,
        "nominations_close_at": opens + 10 * day,
        "voting_closes_at": opens + 20 * day,
        "nominees_published_at": opens + 30 * day,
        "reveal_at": opens + 40 * day,
    }
    award = AwardPage(
        title=fields.pop("title", "Testpriset"),
        slug=slug,
        purpose="<p>Att synliggöra goda exempel.</p>",
        edition=edition,
        **{**dates, **fields},
    )
    for order, (title, weight) in enumerate(criteria):
        award.criteria.add(
            AwardCriterion(title=title, guidance=f"Beskriv {title.lower()}.", weight=weight, sort_order=order)
        )
    index.add_child(instance=award)
    award.save_revision().publish()
    return award


def nominee_page(award, title="Anna Exempelsson", **fields):
    """A published nominee under `award`, in the award's edition."""
    from events.models import NomineePage

    page = NomineePage(
        title=title,
        slug=fields.pop("slug", None) or title.lower().replace(" ", "-"),
        edition=award.edition,
        presentation="<p>Har gjort skillnad för tryggheten.</p>",
        **fields,
    )
    award.add_child(instance=page)
    page.save_revision().publish()
    return page


# --- Tickets ---------------------------------------------------------------------------------------------------


class CapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Capacity"

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Kapacitet {n + 1}")
    size = 100


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.TicketType"
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    kind = "conference"
    name = factory.Sequence(lambda n: f"Biljett {n + 1}")
    name_en = factory.Sequence(lambda n: f"Ticket {n + 1}")
    price = Decimal("4950.00")
    vat_rate = Decimal("25.00")
    max_per_order = 10

    @factory.post_generation
    def capacities(self, create, extracted, **kwargs):
        if create and extracted:
            self.capacities.set(extracted)


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Voucher"
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    code = factory.Sequence(lambda n: f"RABATT{n + 1}")
    kind = "percent"
    value = Decimal("20")
    max_uses = 10

    @factory.post_generation
    def ticket_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.ticket_types.set(extracted)


def ticket_shop(edition=None, *, conference=800, banquet=400):
    """An edition's shop as the organiser sets it up: “Konferens” shared by the pass and the two day passes,
    “Bankett” for the dinner (12 % VAT on food). Returns a namespace with the capacities and types."""
    from types import SimpleNamespace

    edition = edition or EditionFactory()
    konferens = CapacityFactory(edition=edition, name="Konferens", size=conference)
    bankett = CapacityFactory(edition=edition, name="Bankett", size=banquet)
    conference_pass = TicketTypeFactory(
        edition=edition,
        name="Konferenspass",
        name_en="Conference pass",
        price=Decimal("4950.00"),
        capacities=[konferens],
        sort_order=1,
    )
    day_one = TicketTypeFactory(
        edition=edition,
        kind="day",
        name="Dagpass dag 1",
        name_en="Day pass, day 1",
        price=Decimal("2950.00"),
        valid_on=edition.starts_on,
        capacities=[konferens],
        sort_order=2,
    )
    day_two = TicketTypeFactory(
        edition=edition,
        kind="day",
        name="Dagpass dag 2",
        name_en="Day pass, day 2",
        price=Decimal("2950.00"),
        valid_on=edition.ends_on,
        capacities=[konferens],
        sort_order=3,
    )
    banquet_type = TicketTypeFactory(
        edition=edition,
        kind="banquet",
        name="Bankett",
        name_en="Banquet",
        price=Decimal("1200.00"),
        vat_rate=Decimal("12.00"),
        asks_dietary_needs=True,
        capacities=[bankett],
        sort_order=4,
    )
    return SimpleNamespace(
        edition=edition,
        konferens=konferens,
        bankett=bankett,
        conference_pass=conference_pass,
        day_one=day_one,
        day_two=day_two,
        banquet=banquet_type,
    )


def confirmed_order(shop, *, status="paid", banquet=True, name=("Åsa", "Öberg"), organisation="Exempelstads kommun"):
    """An order for one attendee (a conference pass and, with `banquet`, a banquet ticket), moved on to `status`:
    pending stays pending, cancelled and refunded orders were paid first."""
    from tickets.models import Order
    from tickets.services.orders import reserve, save_attendees, transition

    quantities = {shop.conference_pass.pk: 1, **({shop.banquet.pk: 1} if banquet else {})}
    order = reserve(shop.edition, quantities)
    first_name, last_name = name
    attendee = {"first_name": first_name, "last_name": last_name, "organisation": organisation}
    save_attendees(order, [{**attendee, "dietary_needs": "Vegan"}])
    if status != Order.Status.PENDING:
        transition(order, Order.Status.PAID, actor="test")
    if status in (Order.Status.CANCELED, Order.Status.REFUNDED):
        transition(order, status, actor="test")
    return order


def checkin_doors(edition=None):
    """An edition's shop and its two doors: “Konferens dag 1” (the pass and day one's pass) and “Bankett”."""
    from tickets.models import CheckinList

    shop = ticket_shop(edition or EditionFactory())
    day_one = CheckinList.objects.create(edition=shop.edition, name="Konferens dag 1")
    day_one.ticket_types.set([shop.conference_pass, shop.day_one])
    banquet = CheckinList.objects.create(edition=shop.edition, name="Bankett")
    banquet.ticket_types.set([shop.banquet])
    return shop, day_one, banquet
