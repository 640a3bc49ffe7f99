"""Test data with factory_boy: editions and the programme. Times are in Europe/Stockholm."""

import datetime as dt
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
