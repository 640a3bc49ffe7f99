"""The programme page of an edition: the schedule, its speakers and sessions, and a visitor's own agenda.

Every route reads the programme through `events.selectors`, so each costs the same number of queries however
many sessions there are. The schedule's HTML is cached under the programme's fingerprint, so an editor's save
shows on the next request without anyone clearing a cache.
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.db import models
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Page

from events import selectors
from events.models.programme import Session, SessionChange
from home.page_cache import cache_publicly

SPEAKER_PHOTO = "fill-240x240"
CACHE_SECONDS = 60 * 60 * 24  # keys change with every edit, so old entries only need to age out
STYLESHEET_MAX_AGE = 60 * 60 * 24 * 365  # the schedule's stylesheet: its address changes with the programme
TRACK_SLUG = re.compile(r"^[-\w]{1,100}$")
SHARED_KINDS = {Session.Kind.BREAK, Session.Kind.BANQUET}
FINGERPRINT = "events.selectors.programme_fingerprint"


@dataclass(frozen=True)
class ProgrammeFilters:
    """What a visitor narrowed the programme to: ?dag=2027-10-12&spar=<track slug>&sal=<room id>&sprak=sv|en.

    A session with no room concerns every room and one with no track every track; breaks and the banquet
    have no language. static/js/programme.js applies the same rule in the browser.
    """

    PARAMETERS = ("dag", "spar", "sal", "sprak")

    dag: str = ""
    spar: str = ""
    sal: str = ""
    sprak: str = ""

    @classmethod
    def from_query(cls, query):
        """The filters in a query string, with anything malformed left out (so it cannot multiply cache keys)."""
        day, track, room, language = (str(query.get(name, ""))[:100] for name in cls.PARAMETERS)
        try:
            day = dt.date.fromisoformat(day).isoformat() if day else ""
        except ValueError:
            day = ""
        return cls(
            dag=day,
            spar=track if TRACK_SLUG.match(track) else "",
            sal=room if room.isdigit() else "",
            sprak=language if language in Session.Language.values else "",
        )

    def within(self, programme):
        """These filters without values the programme does not have."""
        known = {
            "dag": {day.isoformat() for day in programme.days},
            "spar": {track.slug for track in programme.tracks},
            "sal": {str(room.pk) for room in programme.rooms},
            "sprak": {session.language for session in programme.sessions},
        }
        return replace(self, **{name: "" for name, value in self.values.items() if value not in known[name]})

    @property
    def values(self):
        return {name: getattr(self, name) for name in self.PARAMETERS}

    @property
    def query(self):
        return urlencode({name: value for name, value in self.values.items() if value})

    @property
    def active(self):
        return any(self.values.values())

    def matches(self, session):
        values = session_filter_values(session)
        return all(not wanted or not values[name] or values[name] == wanted for name, wanted in self.values.items())

    def choices(self, programme, base_url):
        """The filter links: per filter, one link to clear it, then one per value, each keeping the others."""

        def link(name, value, label):
            query = replace(self, **{name: value}).query
            return {
                "name": name,
                "value": value,
                "label": label,
                "url": f"{base_url}?{query}" if query else base_url,
                "current": getattr(self, name) == value,
            }

        languages = {session.language for session in programme.sessions if session.kind not in SHARED_KINDS}
        groups = [
            ("dag", _("Day"), _("All days"), [(d.isoformat(), date_format(d, "l j F")) for d in programme.days]),
            ("spar", _("Track"), _("All tracks"), [(t.slug, t.localized("name")) for t in programme.tracks]),
            ("sal", _("Room"), _("All rooms"), [(str(room.pk), room.name) for room in programme.rooms]),
            (
                "sprak",
                _("Language"),
                _("All languages"),
                [(code, label) for code, label in Session.Language.choices if code in languages],
            ),
        ]
        return [
            {"name": name, "label": label, "links": [link(name, "", everything)] + [link(name, *o) for o in options]}
            for name, label, everything, options in groups
            if len(options) > 1 or getattr(self, name)
        ]


def session_filter_values(session):
    """What the filters compare a session on; empty means it belongs to every day, track, room or language."""
    return {
        "dag": session.day.isoformat(),
        "spar": session.track.slug if session.track else "",
        "sal": str(session.room_id) if session.room_id else "",
        "sprak": "" if session.kind in SHARED_KINDS else session.language,
    }


@dataclass
class Entry:
    """A session as a listing shows it: whether it moved since publication, and where it sits in the grid."""

    session: Session
    moved: bool = False
    rescheduled: bool = False
    hidden: bool = False
    column: str = "1 / -1"
    row_start: int = 1
    row_end: int = 2

    @property
    def filter_values(self):
        return session_filter_values(self.session)


@dataclass
class Day:
    """One day of the schedule: its rooms left to right, and its sessions in time order placed on a grid."""

    date: dt.date
    rooms: list
    entries: list = field(default_factory=list)
    hidden: bool = False

    @property
    def column_count(self):
        return max(len(self.rooms), 1)


def lay_out(programme, *, filters=None, changes=()):
    """The programme's days for the schedule grid: columns are the day's rooms by sort order, rows the times
    at which something starts or ends, so a session spans the rows from its start to its end."""
    filters = filters or ProgrammeFilters()
    days = []
    for date in programme.days:
        sessions = programme.sessions_on(date)
        used = {session.room_id for session in sessions}
        rooms = [room for room in programme.rooms if room.pk in used]
        column = {room.pk: str(index) for index, room in enumerate(rooms, start=1)}
        times = sorted({session.starts_at for session in sessions} | {session.ends_at for session in sessions})
        row = {time: index for index, time in enumerate(times, start=1)}
        day = Day(date=date, rooms=rooms)
        for entry in entries_for(sessions, changes):
            session = entry.session
            entry.column = column.get(session.room_id, "1 / -1")
            entry.row_start, entry.row_end = row[session.starts_at], row[session.ends_at]
            entry.hidden = not filters.matches(session)
            day.entries.append(entry)
        day.hidden = all(entry.hidden for entry in day.entries)
        days.append(day)
    return days


def entries_for(sessions, changes=()):
    """`sessions` as entries, marked with what `changes` (SessionChange rows) say happened to them."""
    what = {}
    for change in changes:
        what.setdefault(change.session_id, set()).add(change.what)
    return [
        Entry(
            session=session,
            moved=SessionChange.What.MOVED in what.get(session.pk, ()),
            rescheduled=SessionChange.What.RESCHEDULED in what.get(session.pk, ()),
        )
        for session in sessions
    ]


def with_photos(speakers):
    """Loads the speakers' photos with their renditions in two queries, however many speakers there are."""
    photo_ids = {speaker.photo_id for speaker in speakers if speaker.photo_id}
    if not photo_ids:
        return speakers
    images = get_image_model().objects.filter(pk__in=photo_ids).prefetch_renditions(SPEAKER_PHOTO)
    photos = {image.pk: image for image in images}
    for speaker in speakers:
        if speaker.photo_id:
            speaker.photo = photos.get(speaker.photo_id)
    return speakers


class ProgrammePage(RoutablePageMixin, Page):
    """The programme of one edition. Sessions and speakers are added in the admin's Programme menu.

    Routes under the page, the same in both languages: talare/ (speakers), talare/<slug>/ (a speaker),
    pass/<id>/[<slug>/] (a session; the id is the stable key) and min-agenda/ (the visitor's starred sessions).
    """

    edition = models.ForeignKey("events.Edition", verbose_name=_("edition"), on_delete=models.PROTECT, related_name="+")
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("edition"), FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    template = "events/programme_page.html"

    class Meta:
        verbose_name = _("programme page")

    def serve(self, request, *args, **kwargs):
        # Read before anything renders, so an edit made meanwhile can only make a cached copy miss, never stick.
        request.programme_version = selectors.programme_version(self.edition)
        return super().serve(request, *args, **kwargs)

    def cache_publicly(self, request, response, *, canonical_query=""):
        """Lets the page cache keep `response` while the programme's fingerprint holds, if the request asked in
        the canonical way (anything else in the query string would multiply the cached copies)."""
        version = getattr(request, "programme_version", None)
        if version and request.META.get("QUERY_STRING", "") == canonical_query:
            cache_publicly(response, validator=(FINGERPRINT, (self.edition_id,), version[0]))
        return response

    @path("", name="programme")
    def index_route(self, request):
        filters = ProgrammeFilters.from_query(request.GET)
        schedule, canonical_query = self.cached_fragment(
            request,
            f"schedule?{filters.query}",
            "events/programme_schedule.html",
            lambda programme: self.schedule_context(request, programme, filters),
        )
        response = self.render(
            request,
            context_overrides={
                "schedule": schedule,
                "schedule_css_url": self.schedule_css_url(request),
                "route": "programme",
            },
        )
        return self.cache_publicly(request, response, canonical_query=canonical_query)

    @path("rutnat/", name="schedule_css")
    def schedule_css_route(self, request):
        """Where each session sits in the schedule's grid, as a stylesheet: the Content-Security-Policy refuses style
        attributes. Asked for with the programme's fingerprint, as the page links to it, it is kept for good."""
        version = request.programme_version[0]
        days = lay_out(selectors.get_programme(self.edition))
        response = HttpResponse(
            render_to_string("events/programme_schedule.css", {"days": days}, request=request),
            content_type="text/css; charset=utf-8",
        )
        if request.GET.get("v") == version:
            patch_cache_control(response, public=True, max_age=STYLESHEET_MAX_AGE, immutable=True)
        else:  # an old page's address: today's layout, asked for again next time
            patch_cache_control(response, no_cache=True)
        return self.cache_publicly(request, response, canonical_query=urlencode({"v": version}))

    def schedule_css_url(self, request):
        version = getattr(request, "programme_version", None) or selectors.programme_version(self.edition)
        path = (self.get_url(request) or "/") + self.reverse_subpage("schedule_css")
        return f"{path}?{urlencode({'v': version[0]})}"

    @path("talare/", name="speakers")
    def speakers_route(self, request):
        speakers = with_photos(selectors.get_programme(self.edition).speakers)
        response = self.render(
            request,
            template="events/programme_speakers.html",
            context_overrides={"speakers": speakers, "route": "speakers"},
        )
        return self.cache_publicly(request, response)

    @path("talare/<slug:slug>/", name="speaker")
    def speaker_route(self, request, slug):
        speaker, sessions = selectors.speaker_with_sessions(slug, self.edition)
        if speaker is None or not sessions:
            raise Http404
        with_photos([speaker])
        response = self.render(
            request,
            template="events/programme_speaker.html",
            context_overrides={
                "speaker": speaker,
                "entries": entries_for(sessions, self.changes()),
                "route": "speaker",
            },
        )
        return self.cache_publicly(request, response)

    @path("pass/<int:session_id>/", name="session_by_id")
    @path("pass/<int:session_id>/<slug:slug>/", name="session")
    def session_route(self, request, session_id, slug=None):
        session = selectors.session_queryset().filter(edition=self.edition, pk=session_id).first()
        if session is None:
            raise Http404
        with_photos([link.speaker for link in session.speaker_links])
        changes = [change for change in self.changes() if change.session_id == session.pk]
        response = self.render(
            request,
            template="events/programme_session.html",
            context_overrides={
                "entry": entries_for([session], changes)[0],
                "changes": changes,
                "canonical_url": request.build_absolute_uri(
                    self.get_url(request) + self.reverse_subpage("session", args=(session.pk, session.slug))
                ),
                "route": "session",
            },
        )
        return self.cache_publicly(request, response)

    @path("min-agenda/", name="agenda")
    def agenda_route(self, request):
        agenda, _query = self.cached_fragment(
            request, "agenda", "events/programme_agenda_sessions.html", self.agenda_context
        )
        response = self.render(
            request, template="events/programme_agenda.html", context_overrides={"agenda": agenda, "route": "agenda"}
        )
        return self.cache_publicly(request, response)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["programme_url"] = self.get_url(request) or "/"
        return context

    def changes(self):
        """What moved in the programme since this page was first published (one query)."""
        if self.first_published_at is None:
            return []
        return selectors.changes_since(self.edition, self.first_published_at)

    def schedule_context(self, request, programme, filters):
        filters = filters.within(programme)
        changes = self.changes()
        days = lay_out(programme, filters=filters, changes=changes)
        return {
            "days": days,
            "filters": filters,
            "filter_groups": filters.choices(programme, self.get_url(request) or "/"),
            "shown_count": sum(not entry.hidden for day in days for entry in day.entries),
            "changes": changes,
        }

    def agenda_context(self, programme):
        """Every session a visitor can star, by day; the browser shows the starred ones."""
        days = []
        for date in programme.days:
            sessions = [session for session in programme.sessions_on(date) if session.kind != Session.Kind.BREAK]
            days.append(Day(date=date, rooms=[], entries=entries_for(sessions)))
        return {"days": days}

    def cached_fragment(self, request, name, template, get_context):
        """The HTML of `template` for this page, the language shown and `name`, and the canonical query string of
        the filters it shows (empty without filters). Cached under the programme's fingerprint and the page's
        revision; `get_context(programme)` runs only when the cache has none."""

        def render():
            context = {
                "page": self,
                "request": request,
                "programme_url": self.get_url(request) or "/",
                **get_context(selectors.get_programme(self.edition)),
            }
            filters = context.get("filters")
            return render_to_string(template, context, request=request), filters.query if filters else ""

        if getattr(request, "is_preview", False):
            html, query = render()
            return mark_safe(html), query  # noqa: S308  (rendered by our own template, autoescaped)
        version = getattr(request, "programme_version", None) or selectors.programme_version(self.edition)
        published = self.last_published_at.isoformat() if self.last_published_at else ""
        parts = [version[0], str(self.latest_revision_id), published, get_language(), name]
        key = f"programme:{self.pk}:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
        html, query = cache.get_or_set(key, render, CACHE_SECONDS)
        return mark_safe(html), query  # noqa: S308  (as above)
