"""The jury's and the organisers' side of the awards in the Wagtail admin (registered from wagtail_hooks).

Organisers get **Nominations** (a ModelViewSet: listing with filters, search and exports; a nomination's page with
the answers per criterion, the reviews and the actions shortlist / decline / create nominee page). Jury members and
organisers get **Jury** (custom admin views): the jury member's queue, the scoring form per nomination and the
ranking per award and edition. The rules live in events.jury; these views only ask and show.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import BaseOperationView, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from events import jury
from events.models import AwardCriterion, AwardPage, Edition, JuryMember, JuryReview, Nomination

# --- Permissions --------------------------------------------------------------------------------------------------


class NominationPermissionPolicy(ModelPermissionPolicy):
    """Organisers (the Arrangörer group, or anyone with change_nomination) read and manage nominations. Nobody adds
    one in the admin: nominations come in through the public form with their answers."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        if action in ("view", "change") and jury.can_manage_nominations(user):
            return True
        return super().user_has_permission(user, action)


register_permission_policy(Nomination, NominationPermissionPolicy(Nomination))


# --- Audit log ----------------------------------------------------------------------------------------------------


def _score_changes(data):
    """Lists "Criterion: 3 → 4" for each criterion whose score or comment changed from data["old"] to data["new"]."""
    old, new = data.get("old") or {}, data.get("new") or {}
    changes = []
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key) or {}, new.get(key) or {}
        if before == after:
            continue
        title = after.get("criterion") or before.get("criterion") or key
        if before.get("score") == after.get("score"):
            changes.append(gettext("%(criterion)s: comment changed") % {"criterion": title})
        else:
            changes.append(
                f"{title}: {before.get('score') if before.get('score') else '–'} → "
                f"{after.get('score') if after.get('score') else '–'}"
            )
    return "; ".join(changes)


@hooks.register("register_log_actions")
def register_jury_log_actions(actions):
    @actions.register_action("events.jury_score")
    class JuryScoreFormatter(LogFormatter):
        label = _("Jury scores")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("submitted") and not data.get("was_submitted"):
                message = gettext("Review submitted by %(juror)s")
            elif data.get("submitted"):
                message = gettext("Submitted review changed by %(juror)s")
            else:
                message = gettext("Draft scores saved by %(juror)s")
            message %= {"juror": data.get("juror", "?")}
            changes = _score_changes(data)
            return f"{message}: {changes}" if changes else message

    @actions.register_action("events.jury_conflict")
    class JuryConflictFormatter(LogFormatter):
        label = _("Jury conflict of interest")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return gettext("%(juror)s declared a conflict of interest: %(note)s") % {
                "juror": data.get("juror", "?"),
                "note": data.get("note", ""),
            }

    @actions.register_action("events.nomination_status")
    class NominationStatusFormatter(LogFormatter):
        label = _("Nomination status")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            labels = dict(Nomination.Status.choices)
            return gettext("Status changed from %(old)s to %(new)s") % {
                "old": labels.get(data.get("old"), data.get("old")),
                "new": labels.get(data.get("new"), data.get("new")),
            }

    @actions.register_action("events.nominee_page")
    class NomineePageFormatter(LogFormatter):
        label = _("Nominee page created")

        def format_message(self, log_entry):
            return gettext("Nominee page “%(title)s” created as a draft") % {
                "title": (log_entry.data or {}).get("title", "")
            }


# --- Nominations (organisers) -------------------------------------------------------------------------------------


class NominationTitleColumn(ButtonsColumnMixin, TitleColumn):
    """The candidate, linking to the nomination's page, with the row's action menu."""

    def __init__(self, *args, view, **kwargs):
        super().__init__(*args, **kwargs)
        self.view = view

    def get_buttons(self, instance, parent_context):
        return self.view.get_list_buttons(instance)


class NominationIndexView(IndexView):
    def get_base_queryset(self):
        counted = Q(reviews__submitted_at__isnull=False, reviews__conflict_of_interest=False)
        return (
            super()
            .get_base_queryset()
            .select_related("award", "edition")
            .annotate(counted_reviews=Count("reviews", filter=counted))
        )

    @cached_property
    def columns(self):
        return [
            NominationTitleColumn(
                "candidate_name",
                label=_("Candidate"),
                sort_key="candidate_name",
                get_url=self.get_inspect_url,
                view=self,
            ),
            Column("award", label=_("Award"), accessor="award.title", sort_key="award__title"),
            Column("edition", label=_("Edition"), accessor="edition.year", sort_key="edition__year"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda nomination: nomination.status == Nomination.Status.SHORTLISTED,
            ),
            Column("nominator_name", label=_("Nominator"), sort_key="nominator_name"),
            Column("counted_reviews", label=_("Reviews"), sort_key="counted_reviews"),
            DateColumn("created_at", label=_("Received"), sort_key="created_at"),
        ]

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(_("Rankings"), url=reverse("events_jury:index"), icon_name="list-ol"),
        ]


class NominationInspectView(InspectView):
    template_name = "events/admin/nomination_inspect.html"
    labels = {
        "nominator_name": _("Nominator"),
        "nominator_email": _("Nominator's email"),
        "nominator_organisation": _("Nominator's organisation"),
    }

    def get_field_label(self, field_name, field):
        return self.labels.get(field_name) or super().get_field_label(field_name, field)

    def get_object(self, queryset=None):
        return get_object_or_404(Nomination.objects.select_related("award", "edition"), pk=self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nomination = self.object
        reviews = jury.reviews_visible_to(self.request.user, nomination) or []
        counted = [review for review in reviews if review.submitted_at and not review.conflict_of_interest]
        means = [mean for mean in (jury.review_mean(review) for review in counted) if mean is not None]
        can_change = self.user_has_permission("change")
        context.update(
            answers=nomination.answers.select_related("criterion").order_by("criterion__sort_order", "pk"),
            reviews=[{"review": review, "mean": jury.review_mean(review)} for review in reviews],
            result={
                "mean": sum(means) / len(means) if means else None,
                "reviews": len(means),
                "spread": max(means) - min(means) if means else None,
                "recused": sum(review.conflict_of_interest for review in reviews),
            },
            nominee_pages=jury.nominee_pages_of(nomination),
            can_change=can_change,
            statuses=[(value, label) for value, label in Nomination.Status.choices if value != nomination.status],
            status_url=reverse("nominations:status", args=[nomination.pk]),
            nominee_page_url=reverse("nominations:nominee_page", args=[nomination.pk]),
            ranking_url=reverse("events_jury:ranking", args=[nomination.award_id])
            + f"?edition={nomination.edition_id}",
            history_url=reverse("nominations:history", args=[nomination.pk]),
        )
        return context


class NominationStatusView(PermissionCheckedMixin, BaseOperationView):
    """POST status=shortlisted|declined|received: the organiser's decision on a nomination."""

    model = Nomination
    permission_required = "change"
    success_url_name = "nominations:inspect"

    def perform_operation(self):
        jury.set_status(self.object, self.request.POST.get("status", ""), by=self.request.user)

    def get_success_message(self):
        return gettext("“%(candidate)s” is now %(status)s.") % {
            "candidate": self.object.candidate_name,
            "status": self.object.get_status_display().lower(),
        }

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except jury.JuryError as error:
            messages.error(request, error.message)
            return redirect(self.get_success_url())


class NomineePageView(PermissionCheckedMixin, BaseOperationView):
    """POST: make (or find) the shortlisted nomination's draft nominee page and open it in the page editor."""

    model = Nomination
    permission_required = "change"
    success_url_name = "nominations:inspect"

    def post(self, request, *args, **kwargs):
        award = AwardPage.objects.get(pk=self.object.award_id)
        if not award.permissions_for_user(request.user).can_add_subpage():
            raise PermissionDenied
        try:
            page, created = jury.create_nominee_page(self.object, by=request.user)
        except jury.JuryError as error:
            messages.error(request, error.message)
            return redirect(self.get_success_url())
        if created:
            messages.success(request, gettext("Draft nominee page “%(title)s” created.") % {"title": page.title})
        else:
            messages.info(request, gettext("This nomination already has a nominee page; here it is."))
        return redirect("wagtailadmin_pages:edit", page.pk)


class NominationViewSet(ModelViewSet):
    model = Nomination
    name = "nominations"
    icon = "form"
    menu_label = _("Nominations")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = NominationIndexView
    inspect_view_class = NominationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_filter = ["award", "edition", "status"]
    search_fields = ["candidate_name", "candidate_organisation", "nominator_name", "nominator_organisation"]
    search_backend_name = None  # plain icontains lookups; nominations are not in the search index
    ordering = "-created_at"
    list_per_page = 50
    list_export = [
        "candidate_name",
        "candidate_kind",
        "candidate_organisation",
        "award",
        "edition",
        "status",
        "nominator_name",
        "nominator_email",
        "nominator_organisation",
        "created_at",
    ]
    export_filename = "nomineringar"
    inspect_view_fields = [
        "award",
        "edition",
        "status",
        "candidate_kind",
        "candidate_name",
        "candidate_organisation",
        "candidate_contact",
        "nominator_name",
        "nominator_email",
        "nominator_organisation",
        "language",
        "created_at",
    ]
    # The status moves through its own logged action; the award and edition stay as the nominator sent them.
    form_fields = [
        "candidate_kind",
        "candidate_name",
        "candidate_organisation",
        "candidate_contact",
        "nominator_name",
        "nominator_email",
        "nominator_organisation",
    ]

    @property
    def status_view(self):
        return NominationStatusView.as_view()

    @property
    def nominee_page_view(self):
        return NomineePageView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/<int:pk>/", self.status_view, name="status"),
            path("nominee-page/<int:pk>/", self.nominee_page_view, name="nominee_page"),
        ]


nomination_viewset = NominationViewSet()


@hooks.register("register_admin_viewset")
def register_nomination_viewset():
    return nomination_viewset


# --- Jury (custom admin views) ------------------------------------------------------------------------------------


def _require_jury_or_organiser(user):
    if not (jury.in_jury_group(user) or jury.can_manage_nominations(user)):
        raise PermissionDenied


def _forbidden(request):
    """A plain 403 in the admin's frame (Wagtail's own views redirect to the dashboard instead)."""
    title = gettext("Access denied")
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "lock",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
            {"url": "", "label": title},
        ],
    }
    return TemplateResponse(request, "events/admin/jury_forbidden.html", context, status=403)


class JuryView(WagtailAdminTemplateMixin, TemplateView):
    """An admin page of the jury's: `check_access` decides (PermissionDenied → 403, Http404 → 404)."""

    header_icon = "tasks"
    breadcrumb_parent = True

    def check_access(self, request, **kwargs):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        try:
            self.check_access(request, **kwargs)
        except PermissionDenied:
            return _forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if self.breadcrumb_parent:
            items.append({"url": reverse("events_jury:index"), "label": _("Jury")})
        return [*items, {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()}]


class JuryIndexView(JuryView):
    """A jury member's queue per award; for organisers, every award's round with each member's progress."""

    template_name = "events/admin/jury_index.html"
    page_title = _("Jury")
    breadcrumb_parent = False

    def check_access(self, request, **kwargs):
        _require_jury_or_organiser(request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        mine = list(jury.awards_for_juror(user))
        own_reviews = JuryReview.objects.filter(juror=user)
        nominations = (
            jury.nominations_for_juror(user)
            .annotate(
                reviewed=Exists(own_reviews.filter(nomination=OuterRef("pk"), submitted_at__isnull=False)),
                drafted=Exists(own_reviews.filter(nomination=OuterRef("pk"))),
                recused=Exists(own_reviews.filter(nomination=OuterRef("pk"), conflict_of_interest=True)),
            )
            .order_by("candidate_name", "pk")
        )
        by_award = {}
        for nomination in nominations:
            by_award.setdefault(nomination.award_id, []).append(nomination)
        context["my_awards"] = [
            {
                "award": award,
                "nominations": by_award.get(award.pk, []),
                "done": sum(n.reviewed for n in by_award.get(award.pk, [])),
                "total": len(by_award.get(award.pk, [])),
                "ranking_url": reverse("events_jury:ranking", args=[award.pk]),
            }
            for award in mine
        ]
        for entry in context["my_awards"]:
            entry["finished"] = entry["done"] == entry["total"]
        if jury.can_manage_nominations(user):
            context["rounds"] = self.rounds()
        return context

    def rounds(self):
        """Each award's current round: its nominations in judging and each jury member's submitted reviews."""
        awards = list(AwardPage.objects.filter(edition__isnull=False).select_related("edition").order_by("path"))
        totals = dict(
            Nomination.objects.filter(award__in=awards, edition_id=F("award__edition_id"))
            .exclude(status=Nomination.Status.DECLINED)
            .order_by()
            .values("award_id")
            .annotate(count=Count("pk"))
            .values_list("award_id", "count")
        )
        done = {
            (award_id, juror_id): count
            for award_id, juror_id, count in JuryReview.objects.filter(
                nomination__award__in=awards,
                nomination__edition_id=F("nomination__award__edition_id"),
                submitted_at__isnull=False,
            )
            .exclude(nomination__status=Nomination.Status.DECLINED)
            .order_by()
            .values("nomination__award_id", "juror_id")
            .annotate(count=Count("pk"))
            .values_list("nomination__award_id", "juror_id", "count")
        }
        jurors = {}
        for member in JuryMember.objects.filter(page__in=awards).select_related("user").order_by("sort_order"):
            jurors.setdefault(member.page_id, []).append(
                {"member": member, "done": done.get((member.page_id, member.user_id), 0) if member.user_id else None}
            )
        return [
            {
                "award": award,
                "total": totals.get(award.pk, 0),
                "jurors": jurors.get(award.pk, []),
                "ranking_url": reverse("events_jury:ranking", args=[award.pk]),
                "nominations_url": reverse("nominations:index") + f"?award={award.pk}&edition={award.edition_id}",
            }
            for award in awards
        ]


class ReviewForm(forms.Form):
    """One score (1–5) and comment per criterion; on submit every criterion needs its score."""

    def __init__(self, *args, criteria, require_all=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.require_all = require_all
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("Score"),
                choices=[(value, str(value)) for value in jury.SCORE_RANGE],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Give a score from 1 to 5.")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Your comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def clean(self):
        cleaned_data = super().clean()
        for criterion in self.criteria:
            name = f"score_{criterion.pk}"
            if name in self.errors:
                continue
            if cleaned_data.get(name) is None:
                if self.require_all:
                    self.add_error(name, _("Every criterion needs a score before the review is submitted."))
                elif cleaned_data.get(f"comment_{criterion.pk}"):
                    self.add_error(name, _("Give a score to keep the comment."))
        return cleaned_data

    def scores(self):
        return {
            criterion.pk: {
                "score": self.cleaned_data.get(f"score_{criterion.pk}"),
                "comment": self.cleaned_data.get(f"comment_{criterion.pk}", ""),
            }
            for criterion in self.criteria
        }

    def add_service_errors(self, error):
        """Puts a ValidationError from events.jury (keyed by criterion id) on the matching fields."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages_ in error.message_dict.items():
            field = f"score_{key}" if f"score_{key}" in self.fields else None
            self.add_error(field, messages_)


class ConflictForm(forms.Form):
    note = forms.CharField(
        label=_("Why"),
        max_length=JuryReview._meta.get_field("conflict_note").max_length,
        help_text=_("A short note for the organisers, e.g. “I work with the candidate”."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewView(JuryView):
    """A jury member scores one nomination: the nominator's answer beside each criterion's score and comment."""

    template_name = "events/admin/jury_review.html"
    page_title = _("Review")

    def check_access(self, request, *, pk):
        if not jury.in_jury_group(request.user):
            raise PermissionDenied
        self.nomination = get_object_or_404(jury.nominations_for_juror(request.user), pk=pk)
        self.criteria = list(
            AwardCriterion.objects.filter(page_id=self.nomination.award_id).order_by("sort_order", "pk")
        )
        self.review = JuryReview.objects.filter(nomination=self.nomination, juror=request.user).first()

    def get_page_subtitle(self):
        return self.nomination.candidate_name

    @property
    def submitted(self):
        return bool(self.review and self.review.submitted_at)

    def review_form(self, data=None, *, require_all=False):
        initial = {}
        if self.review:
            for score in self.review.scores.all():
                initial[f"score_{score.criterion_id}"] = score.score
                initial[f"comment_{score.criterion_id}"] = score.comment
        return ReviewForm(data, initial=initial, criteria=self.criteria, require_all=require_all or self.submitted)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.review_form(), conflict_form=ConflictForm()))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        form, conflict_form = self.review_form(), ConflictForm()
        try:
            if action == "conflict":
                conflict_form = ConflictForm(request.POST)
                if conflict_form.is_valid():
                    try:
                        jury.declare_conflict(self.nomination, request.user, note=conflict_form.cleaned_data["note"])
                    except ValidationError as error:
                        conflict_form.add_error(None, error.message_dict.get("note", error.messages))
                    else:
                        messages.success(request, gettext("Your conflict of interest is recorded."))
                        return redirect(request.path)
            elif action in ("draft", "submit"):
                form = self.review_form(request.POST, require_all=action == "submit")
                if form.is_valid():
                    try:
                        jury.save_review(self.nomination, request.user, scores=form.scores(), submit=action == "submit")
                    except ValidationError as error:
                        form.add_service_errors(error)
                    else:
                        if action == "submit" or self.submitted:
                            messages.success(request, gettext("Your review is submitted."))
                        else:
                            messages.success(request, gettext("Your draft is saved."))
                        return redirect(request.path)
            else:
                form.add_error(None, _("Choose to save a draft or submit the review."))
        except jury.JuryError as error:
            messages.error(request, error.message)
        return self.render_to_response(self.get_context_data(form=form, conflict_form=conflict_form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        answers = list(self.nomination.answers.order_by("criterion__sort_order", "pk"))
        answer_for = {answer.criterion_id: answer for answer in answers if answer.criterion_id}
        others = jury.reviews_visible_to(self.request.user, self.nomination)
        context.update(
            nomination=self.nomination,
            award=self.nomination.award,
            review=self.review,
            submitted=self.submitted,
            recused=bool(self.review and self.review.conflict_of_interest),
            rows=[
                {
                    "criterion": criterion,
                    "answer": answer_for.get(criterion.pk),
                    "score": form[f"score_{criterion.pk}"],
                    "comment": form[f"comment_{criterion.pk}"],
                }
                for criterion in self.criteria
            ],
            other_answers=[answer for answer in answers if answer.criterion_id not in {c.pk for c in self.criteria}],
            criteria=self.criteria,
            others=None if others is None else [_review_display(review, self.criteria) for review in others],
            ranking_url=reverse("events_jury:ranking", args=[self.nomination.award_id]),
            ranking_open=not jury.nominations_left_to_review(self.request.user, self.nomination.award).exists(),
        )
        return context


def _review_display(review, criteria):
    scores = {score.criterion_id: score for score in review.scores.all()}
    return {
        "review": review,
        "juror": review.juror.get_full_name() or review.juror.get_username(),
        "mean": jury.review_mean(review),
        "scores": [scores.get(criterion.pk) for criterion in criteria],
    }


class RankingView(JuryView):
    """The ranking of an award's round: organisers any edition, a jury member their award's current edition once
    they have reviewed (or recused on) every nomination in it."""

    template_name = "events/admin/jury_ranking.html"
    page_title = _("Ranking")

    def check_access(self, request, *, award_id):
        user = request.user
        _require_jury_or_organiser(user)
        self.award = get_object_or_404(AwardPage.objects.select_related("edition"), pk=award_id)
        self.organiser = jury.can_manage_nominations(user)
        wanted = request.GET.get("edition", "")
        if wanted and not wanted.isdigit():
            raise Http404
        if self.organiser:
            edition_id = wanted or self.award.edition_id
            if not edition_id:
                raise Http404
            self.edition = get_object_or_404(Edition, pk=edition_id)
        else:
            if self.award.edition_id is None or not jury.is_juror(user, self.award):
                raise Http404
            if wanted and int(wanted) != self.award.edition_id:
                raise Http404
            self.edition = self.award.edition

    def get_page_subtitle(self):
        return f"{self.award.title} {self.edition.year}"

    def get(self, request, *args, **kwargs):
        if not self.organiser:
            left = jury.nominations_left_to_review(request.user, self.award).count()
            if left:
                return self.render_to_response(self.get_context_data(locked=True, left=left), status=403)
        return self.render_to_response(self.get_context_data(locked=False))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(award=self.award, edition=self.edition, organiser=self.organiser)
        if context["locked"]:
            return context
        rows = jury.ranking(self.award, self.edition)
        for row in rows:
            row.url = (
                reverse("nominations:inspect", args=[row.nomination.pk])
                if self.organiser
                else reverse("events_jury:review", args=[row.nomination.pk])
            )
        context["rows"] = rows
        if self.organiser:
            editions = Edition.objects.filter(Q(nominations__award=self.award) | Q(pk=self.award.edition_id))
            context["editions"] = editions.distinct().order_by("-year")
        return context


jury_urlpatterns = [
    path("", JuryIndexView.as_view(), name="index"),
    path("nomination/<int:pk>/", ReviewView.as_view(), name="review"),
    path("ranking/<int:award_id>/", RankingView.as_view(), name="ranking"),
]


@hooks.register("register_admin_urls")
def register_jury_urls():
    return [path("jury/", include((jury_urlpatterns, "events_jury"), namespace="events_jury"))]


class JuryMenuItem(MenuItem):
    def is_shown(self, request):
        return jury.can_manage_nominations(request.user) or jury.awards_for_juror(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_jury_menu_item():
    return JuryMenuItem(_("Jury"), reverse_lazy("events_jury:index"), name="jury", icon_name="tasks", order=260)


class JuryHomePanel(Component):
    """On a jury member's dashboard: how many nominations are left to review, per award."""

    name = "jury"
    order = 50
    template_name = "events/admin/jury_home_panel.html"

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        rounds = [
            {
                "award": award,
                "left": jury.nominations_left_to_review(user, award).count(),
                "url": reverse("events_jury:index"),
            }
            for award in jury.awards_for_juror(user)
        ]
        return {"rounds": rounds}


@hooks.register("construct_homepage_panels")
def add_jury_home_panel(request, panels):
    if jury.in_jury_group(request.user):
        panels.append(JuryHomePanel())
