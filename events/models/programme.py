"""The programme: rooms, tracks, speakers and sessions of an edition, and the log of what moved."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index


class Localized:
    """Fields kept in Swedish as `name` and in English as `name_en`; `localized("name")` picks the shown one."""

    def localized(self, field):
        if get_language() == "en":
            return getattr(self, f"{field}_en", "") or getattr(self, field)
        return getattr(self, field)


class Room(models.Model):
    edition = models.ForeignKey(
        "events.Edition", verbose_name=_("edition"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Rooms are shown left to right in this order.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("edition"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("sort_order")]),
    ]

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["edition", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["edition", "name"], name="unique_room_name_per_edition")]

    def __str__(self):
        return self.name


class Track(Localized, models.Model):
    edition = models.ForeignKey(
        "events.Edition", verbose_name=_("edition"), on_delete=models.CASCADE, related_name="tracks"
    )
    name = models.CharField(_("name in Swedish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, help_text=_("Used in filter links, e.g. “krisberedskap”."))
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("edition"), FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]), FieldPanel("slug")]

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["edition", "name"]
        constraints = [models.UniqueConstraint(fields=["edition", "slug"], name="unique_track_slug_per_edition")]

    def __str__(self):
        return self.name


class Speaker(Localized, index.Indexed, ClusterableModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, help_text=_("The speaker's address on the site."))
    title = models.CharField(_("title in Swedish"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set the focal point on the face; the photo is cropped to a square."),
    )
    bio = models.TextField(_("short bio in Swedish"), blank=True)
    bio_en = models.TextField(_("short bio in English"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("title"), FieldPanel("title_en")]),
        FieldPanel("organisation"),
        FieldPanel("photo"),
        MultiFieldPanel([FieldPanel("bio"), FieldPanel("bio_en")], heading=_("Bio")),
        InlinePanel("links", heading=_("Links"), label=_("link")),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("organisation"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class SpeakerLink(Orderable):
    speaker = ParentalKey(Speaker, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=100, help_text=_("e.g. “LinkedIn” or “Webbplats”"))
    url = models.URLField(_("address"))

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("url")])]


class Session(Localized, index.Indexed, ClusterableModel):
    class Kind(models.TextChoices):
        KEYNOTE = "keynote", _("Keynote")
        TALK = "talk", _("Talk")
        PANEL = "panel", _("Panel")
        WORKSHOP = "workshop", _("Workshop")
        BREAK = "break", _("Break")
        BANQUET = "banquet", _("Banquet")

    class Language(models.TextChoices):
        SWEDISH = "sv", _("Swedish")
        ENGLISH = "en", _("English")

    edition = models.ForeignKey(
        "events.Edition", verbose_name=_("edition"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title in Swedish"), max_length=255)
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    abstract = RichTextField(_("abstract in Swedish"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    abstract_en = RichTextField(_("abstract in English"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TALK)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("Leave empty for breaks that concern everyone."),
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.SWEDISH)
    slides_url = models.URLField(_("slides"), blank=True)
    video_url = models.URLField(_("video"), blank=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="iCalendar SEQUENCE: raised on every change."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("edition"),
        FieldRowPanel([FieldPanel("title"), FieldPanel("title_en")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("language"), FieldPanel("track")]),
        FieldRowPanel(
            [FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("room")], heading=_("When and where")
        ),
        InlinePanel("speakers", heading=_("Speakers"), label=_("speaker")),
        FieldPanel("abstract"),
        FieldPanel("abstract_en"),
        FieldRowPanel([FieldPanel("slides_url"), FieldPanel("video_url")]),
        FieldPanel("is_cancelled"),
    ]
    search_fields = [
        index.SearchField("title"),
        index.SearchField("title_en"),
        index.SearchField("abstract"),
        index.FilterField("edition"),
        index.FilterField("kind"),
        index.FilterField("starts_at"),
    ]

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "room__sort_order", "title"]
        indexes = [models.Index(fields=["edition", "starts_at"])]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})

    @property
    def slug(self):
        return slugify(self.title)[:60] or "pass"

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    @property
    def day(self):
        return timezone.localtime(self.starts_at).date()


class SessionSpeaker(Orderable):
    session = ParentalKey(Session, on_delete=models.CASCADE, related_name="speakers")
    speaker = models.ForeignKey(
        Speaker, verbose_name=_("speaker"), on_delete=models.CASCADE, related_name="session_links"
    )
    role = models.CharField(_("role"), max_length=100, blank=True, help_text=_("e.g. “moderator”; empty for speakers."))

    panels = [FieldRowPanel([FieldPanel("speaker"), FieldPanel("role")])]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["session", "speaker"], name="unique_speaker_per_session")]


class SessionChange(models.Model):
    """A published session that moved, changed room, or was cancelled or reinstated: for "Ändringar i programmet"."""

    class What(models.TextChoices):
        RESCHEDULED = "rescheduled", _("New time")
        MOVED = "moved", _("New room")
        CANCELLED = "cancelled", _("Cancelled")
        REINSTATED = "reinstated", _("Reinstated")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    what = models.CharField(max_length=20, choices=What.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_starts_at = models.DateTimeField(null=True, blank=True)
    new_starts_at = models.DateTimeField(null=True, blank=True)
    old_room = models.CharField(max_length=100, blank=True)
    new_room = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["changed_at"])]

    def __str__(self):
        return f"{self.session}: {self.get_what_display()}"
