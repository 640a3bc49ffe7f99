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
