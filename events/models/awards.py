"""The conference's awards as pages: an index, each award with its criteria, jury, phases and history, and the
nominees under their award. The winner is chosen in the award page's draft and is public only once published."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Locale, Orderable, Page
from wagtail.search import index


class AwardIndexPage(RoutablePageMixin, Page):
    """The conference's prizes this year, and an archive of every winner across editions (`arkiv/`)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.AwardPage"]
    template = "events/award_index_page.html"

    class Meta:
        verbose_name = _("awards index")

    def awards(self):
        return AwardPage.objects.child_of(self).live().public().specific().select_related("edition")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["awards"] = self.awards()
        return context

    @path("", name="index")
    def index_route(self, request):
        return self.render(request)

    @path("arkiv/", name="archive")
    def archive_route(self, request):
        """Every winner of every award, newest year first: the history rows and the revealed winners."""
        awards = list(self.awards())
        history = PastWinner.objects.filter(page__in=awards).select_related("page")
        years = {}
        for past in history:
            years.setdefault(past.year, []).append({"award": past.page, "name": past.winner, "about": past.description})
        rounds = {award.pk: award.round_page() for award in awards}
        winners = NomineePage.objects.live().in_bulk([r.winner_id for r in rounds.values() if r.live and r.winner_id])
        for award in awards:
            round_page = rounds[award.pk]
            winner = winners.get(round_page.winner_id)
            if winner and round_page.edition_id:
                years.setdefault(round_page.edition.year, []).append(
                    {"award": award, "name": winner.title, "about": winner.summary, "url": winner.url}
                )
        archive = [{"year": year, "winners": years[year]} for year in sorted(years, reverse=True)]
        return self.render(request, template="events/award_archive.html", context_overrides={"archive": archive})


class AwardPhase(models.TextChoices):
    BEFORE = "before", _("Not open yet")
    NOMINATION = "nomination", _("Nominations open")
    JUDGING = "judging", _("Jury and public vote")
    NOMINEES = "nominees", _("Nominees published")
    REVEALED = "revealed", _("Winner revealed")


class AwardPage(RoutablePageMixin, Page):
    """An award: why it exists, what a candidate is judged on, who judges, this year's phases, and who has won it.

    The phases belong to the round of `edition`; earlier rounds live on as `past_winners`. The winner and the jury's
    motivation are set in a draft and become public only when that draft is published (the reveal).
    """

    presented_by = models.CharField(
        _("presented by"), max_length=200, blank=True, help_text=_("The organisation behind the award.")
    )
    purpose = RichTextField(
        _("purpose"), features=["bold", "italic", "link"], help_text=_("Why the award exists, in a few sentences.")
    )
    who_can_nominate = RichTextField(
        _("who can nominate"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("e.g. “Anyone may propose a candidate, with an account of how the criteria are met.”"),
    )
    edition = models.ForeignKey(
        "events.Edition",
        verbose_name=_("edition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The edition whose round of the award the phases below belong to."),
    )
    nominations_open_at = models.DateTimeField(_("nominations open"), null=True, blank=True)
    nominations_close_at = models.DateTimeField(_("nominations close"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(
        _("jury and public vote close"),
        null=True,
        blank=True,
        help_text=_("The jury scores, and the public votes, from when nominations close until this moment."),
    )
    nominees_published_at = models.DateTimeField(_("nominees published"), null=True, blank=True)
    reveal_at = models.DateTimeField(
        _("winner revealed"), null=True, blank=True, help_text=_("When the winner is announced, at the banquet.")
    )
    public_vote = models.BooleanField(
        _("public vote"), default=False, help_text=_("Lets anyone vote for one nominee while the jury scores.")
    )
    show_vote_results = models.BooleanField(
        _("show the public vote's results"),
        default=False,
        help_text=_("Shown on the award page after the winner is revealed, never before."),
    )
    winner = models.ForeignKey(
        "events.NomineePage",
        verbose_name=_("winner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Choose the winner in a draft; publishing that draft reveals it."),
    )
    winner_motivation = models.TextField(_("the jury's motivation"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("presented_by"),
        FieldPanel("purpose"),
        FieldPanel("who_can_nominate"),
        InlinePanel("criteria", heading=_("Criteria"), label=_("criterion"), min_num=1),
        InlinePanel("jury_members", heading=_("Jury"), label=_("jury member")),
        MultiFieldPanel(
            [
                FieldPanel("edition"),
                FieldRowPanel([FieldPanel("nominations_open_at"), FieldPanel("nominations_close_at")]),
                FieldRowPanel([FieldPanel("voting_closes_at"), FieldPanel("nominees_published_at")]),
                FieldPanel("reveal_at"),
                FieldRowPanel([FieldPanel("public_vote"), FieldPanel("show_vote_results")]),
            ],
            heading=_("This year's round"),
        ),
        MultiFieldPanel(
            [FieldPanel("winner"), FieldPanel("winner_motivation")],
            heading=_("Winner (secret until published)"),
        ),
        InlinePanel("past_winners", heading=_("Earlier winners"), label=_("winner")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("purpose")]
    parent_page_types = ["events.AwardIndexPage"]
    subpage_types = ["events.NomineePage"]
    template = "events/award_page.html"

    class Meta:
        verbose_name = _("award page")

    def round_page(self):
        """The Swedish award page, which holds the round (edition, dates, jury, nominees, winner) for every
        translation of it: nominations, votes and the reveal all belong to that page. Looked up once per instance:
        a request asks for it from the context, the forms and the services alike."""
        if getattr(self, "_round_page", None) is None:
            source = None
            if self.locale.language_code != settings.LANGUAGE_CODE:
                source = self.get_translation_or_none(Locale.objects.get(language_code=settings.LANGUAGE_CODE))
            self._round_page = source.specific if source else self
        return self._round_page

    def phase(self, now=None):
        """Where this year's round stands at `now`: the published winner decides "revealed", the dates the rest."""
        now = now or timezone.now()
        if self.winner_id and self.live:
            return AwardPhase.REVEALED
        steps = [
            (self.nominees_published_at, AwardPhase.NOMINEES),
            (self.nominations_close_at, AwardPhase.JUDGING),
            (self.nominations_open_at, AwardPhase.NOMINATION),
        ]
        return next((phase for moment, phase in steps if moment and moment <= now), AwardPhase.BEFORE)

    def nominations_open(self, now=None):
        now = now or timezone.now()
        return bool(
            self.nominations_open_at
            and self.nominations_close_at
            and self.nominations_open_at <= now < self.nominations_close_at
        )

    def voting_open(self, now=None):
        now = now or timezone.now()
        return bool(
            self.public_vote
            and self.nominations_close_at
            and self.voting_closes_at
            and self.nominations_close_at <= now < self.voting_closes_at
        )

    def nominees(self):
        """This round's nominees as the public sees them: published, in the tree's order."""
        queryset = NomineePage.objects.child_of(self).live().public()
        if self.edition_id:
            queryset = queryset.filter(edition_id=self.edition_id)
        return queryset.select_related("image").order_by("path")

    def revealed_winner(self):
        """The winner, once published (on the page's row; a draft's choice is not there), else None."""
        if not (self.live and self.winner_id):
            return None
        return NomineePage.objects.live().filter(pk=self.winner_id).select_related("image").first()

    def phases(self, now=None):
        """The round's steps in order, with their dates and which one is current."""
        current = self.phase(now)
        steps = [
            (AwardPhase.NOMINATION, self.nominations_open_at),
            (AwardPhase.JUDGING, self.nominations_close_at),
            (AwardPhase.NOMINEES, self.nominees_published_at),
            (AwardPhase.REVEALED, self.reveal_at),
        ]
        return [{"label": phase.label, "at": at, "current": phase == current} for phase, at in steps]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        round_page = self.round_page()
        context.update(
            round=round_page,
            past_winners=self.past_winners.order_by("-year"),
            phase=round_page.phase(now),
            phases=round_page.phases(now),
            nominations_open=round_page.nominations_open(now),
            voting_open=round_page.voting_open(now),
            nominees=self.in_my_language(round_page.nominees()),
            winner=next(iter(self.in_my_language([round_page.revealed_winner()])), None),
        )
        if context["phase"] == AwardPhase.REVEALED and round_page.public_vote and round_page.show_vote_results:
            from events.voting import vote_results

            context["vote_results"] = vote_results(self)
        return context

    def in_my_language(self, pages):
        """`pages` (of the round page) replaced by their live translations in this page's language where they
        exist, in the same order (one query)."""
        pages = [page for page in pages if page is not None]
        if self.round_page() is self or not pages:
            return pages
        translations = {
            page.translation_key: page
            for page in NomineePage.objects.live()
            .filter(locale_id=self.locale_id, translation_key__in=[page.translation_key for page in pages])
            .select_related("image")
        }
        return [translations.get(page.translation_key, page) for page in pages]

    @path("", name="award")
    def award_route(self, request):
        return self.render(request)

    def criteria_pairs(self):
        """Each criterion as this page shows it, with the round page's criterion that answers are stored against.

        A translation's criteria are copies in the same order; should the two lists differ, the round's own
        criteria are shown, so an answer always lands on the criterion the jury scores.
        """
        round_page = self.round_page()
        source = list(round_page.criteria.all())
        if round_page is self:
            return [(criterion, criterion) for criterion in source]
        shown = list(self.criteria.all())
        if [c.sort_order for c in shown] != [c.sort_order for c in source]:
            shown = source
        return list(zip(shown, source, strict=True))

    # Nominations and votes belong to the round page whichever language they are sent in. The nomination form is
    # the translation's (its criteria in its language); the vote lists the round page's nominees.

    @path("nominera/", name="nominate")
    def nominate_route(self, request):
        from events.nomination_views import nominate

        return nominate(request, self)

    @path("nominera/tack/", name="nominated")
    def nominated_route(self, request):
        from events.nomination_views import nominated

        return nominated(request, self)

    @path("rosta/", name="vote")
    def vote_route(self, request):
        from events.vote_views import vote

        return vote(request, self.round_page())

    @path("rosta/bekrafta/<str:token>/", name="confirm_vote")
    def confirm_vote_route(self, request, token):
        from events.vote_views import confirm_vote

        return confirm_vote(request, self.round_page(), token)


class JuryMember(Orderable):
    """A member of the award's jury as the public sees them, and the admin account they score with."""

    page = ParentalKey(AwardPage, on_delete=models.CASCADE, related_name="jury_members")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admin account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jury_memberships",
        help_text=_("The account this member scores nominations with (in the Jury group)."),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("user")]),
        FieldRowPanel([FieldPanel("title"), FieldPanel("organisation")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")

    def __str__(self):
        return self.name


class NomineePage(Page):
    """A nominee's presentation under their award: one or several people and/or an organisation."""

    class Kind(models.TextChoices):
        PERSON = "person", _("A person")
        PEOPLE = "people", _("Several people")
        ORGANISATION = "organisation", _("An organisation")

    edition = models.ForeignKey("events.Edition", verbose_name=_("edition"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("nominee is"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    people = models.TextField(
        _("people"),
        blank=True,
        help_text=_("One per line: name, title and organisation, e.g. “Anna Ek, polis, Polisområde Malmö”."),
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("e.g. a municipality, a region or a police area.")
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True, help_text=_("One sentence for listings."))
    presentation = RichTextField(_("presentation"), features=["h3", "bold", "italic", "link", "ol", "ul"])
    why_nominated = RichTextField(_("why nominated"), blank=True, features=["bold", "italic", "link", "ol", "ul"])
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    video_url = models.URLField(_("video"), blank=True, help_text=_("A link to a film about the nominee."))
    nomination = models.ForeignKey(
        "events.Nomination",
        verbose_name=_("nomination"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominee_pages",
        editable=False,
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("edition"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("organisation")]),
        FieldPanel("people"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("presentation"),
        FieldPanel("why_nominated"),
        InlinePanel("gallery", heading=_("More images"), label=_("image")),
        FieldPanel("video_url"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("presentation"), index.SearchField("organisation")]
    parent_page_types = ["events.AwardPage"]
    subpage_types = []
    template = "events/nominee_page.html"

    class Meta:
        verbose_name = _("nominee page")

    @property
    def people_list(self):
        return [line.strip() for line in self.people.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        award = self.get_parent().specific
        round_page = award.round_page()
        winner = round_page.revealed_winner()  # the published row: a winner chosen in a draft is not there
        context["award"] = award
        context["round"] = round_page
        context["is_winner"] = winner is not None and winner.translation_key == self.translation_key
        context["voting_open"] = round_page.voting_open() and self.edition_id == round_page.edition_id
        return context


class NomineeImage(Orderable):
    page = ParentalKey(NomineePage, on_delete=models.CASCADE, related_name="gallery")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class AwardCriterion(Orderable):
    """What the jury judges a candidate on; a nomination answers each criterion."""

    page = ParentalKey(AwardPage, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True, help_text=_("What a nominator should describe."))
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=2, default=1, help_text=_("Relative weight in the jury's score.")
    )

    panels = [FieldPanel("title"), FieldPanel("guidance"), FieldPanel("weight")]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.title


class PastWinner(Orderable):
    """An earlier year's winner, with the jury's motivation, for the award's history."""

    page = ParentalKey(AwardPage, on_delete=models.CASCADE, related_name="past_winners")
    year = models.PositiveSmallIntegerField(_("year"))
    winner = models.CharField(_("winner"), max_length=300)
    description = models.CharField(
        _("who they are"), max_length=300, blank=True, help_text=_("Title, organisation or place.")
    )
    motivation = models.TextField(_("jury's motivation"), blank=True)
    other_nominees = models.CharField(
        _("other nominees"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("winner")]),
        FieldPanel("description"),
        FieldPanel("motivation"),
        FieldPanel("other_nominees"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("earlier winner")
        verbose_name_plural = _("earlier winners")

    def __str__(self):
        return f"{self.year}: {self.winner}"

    @property
    def other_nominee_list(self):
        return [name.strip() for name in self.other_nominees.split(",") if name.strip()]
