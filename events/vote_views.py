"""The public vote of an award (AwardPage routes rosta/ and rosta/bekrafta/<token>/). The rules live in
events.voting; these views show the form, the confirmation step and the voter's outcome."""

from django import forms
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from events import voting
from home import ratelimit

HONEYPOT = "website"

# How each refusal of a confirmation answers: the voter did nothing wrong in "already_confirmed".
REFUSAL_STATUS = {
    "invalid": 400,
    "expired": 410,
    "closed": 403,
    "already_voted": 409,
    "not_a_nominee": 409,
    "already_confirmed": 200,
}

# Refusals after which a new vote may still count.
VOTE_AGAIN = {"invalid", "expired", "not_a_nominee"}


class VoteForm(forms.Form):
    nominee = forms.TypedChoiceField(
        label=_("Your vote"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the nominee you vote for."),
            "invalid_choice": voting.NotANominee.message,
        },
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("We email you a link: your vote counts once you open it and confirm, within 48 hours."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.se."),
        },
    )

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = [(nominee.pk, nominee.title) for nominee in nominees]


def vote(request, award):
    """GET: the nominees and an email field (`?nominee=<id>` preselects one); POST: an unconfirmed vote and an
    email with the link that confirms it, then "check your email"."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    award = award.localized  # the page in the visitor's language: its title, its links (the rules are the round's)
    round_award = voting.counting_award(award)
    if not round_award.public_vote:
        return _closed(request, award, round_award, status=404)
    if request.method != "POST" and request.GET.get("sent"):
        return award.render(request, template="events/vote_sent.html", context_overrides={"award": award})
    if not round_award.voting_open():
        return _closed(request, award, round_award, status=200 if request.method != "POST" else 403)

    choices = voting.ballot(award)
    nominees = [shown for shown, _counted in choices]
    if request.method != "POST":
        form = VoteForm(nominees=nominees, initial={"nominee": _preselected(request, choices)})
        return _form(request, award, form, nominees)

    # Votes per address and per email (settings.RATE_LIMITS), every post counted, the honeypot's too.
    try:
        ratelimit.count_attempt("vote_ip", ratelimit.client_ip(request))
    except ratelimit.RateLimited as limited:
        return _form(request, award, VoteForm(request.POST, nominees=nominees), nominees, limited=limited)
    if request.POST.get(HONEYPOT):  # a bot: it is told what a person is told, and nothing is stored
        return redirect(_sent_url(award))
    form = VoteForm(request.POST, nominees=nominees)
    if not form.is_valid():
        return _form(request, award, form, nominees, status=400)
    email = voting.normalize_email(form.cleaned_data["email"])
    try:
        ratelimit.count_attempt("vote_email", email)
    except ratelimit.RateLimited as limited:
        return _form(request, award, form, nominees, limited=limited)
    nominee = next(nominee for nominee in nominees if nominee.pk == form.cleaned_data["nominee"])
    try:
        voting.request_vote(
            award, nominee=nominee, email=email, language=get_language(), award_url=_absolute(request, award)
        )
    except voting.VotingClosed:
        return _closed(request, award, round_award, status=403)
    except voting.NotANominee as error:
        form.add_error("nominee", error.message)
        return _form(request, award, form, nominees, status=400)
    return redirect(_sent_url(award))


def confirm_vote(request, award, token):
    """GET: what the link confirms, and a button; only the POST of that button confirms, so a mail scanner that
    opens links does not vote."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    award = award.localized
    try:
        if request.method == "POST":
            vote = voting.confirm_vote(token, award=award)
            state = "confirmed"
        else:
            vote = voting.vote_to_confirm(token, award=award)
            state = "ask"
    except voting.VoteError as error:
        return _confirmation(request, award, error.code, vote=error.vote, error=error)
    return _confirmation(request, award, state, vote=vote)


def _preselected(request, choices):
    """The nominee `?nominee=<id>` names: the page shown, or the round page's nominee it translates."""
    wanted = request.GET.get("nominee", "")
    if not (wanted.isascii() and wanted.isdigit()):  # isdigit() alone passes "²", which int() refuses
        return None
    for shown, counted in choices:
        if int(wanted) in (shown.pk, counted.pk):
            return shown.pk
    return None


def _absolute(request, award):
    """The award page's address as the voter reached it: the host they used (checked against ALLOWED_HOSTS), so the
    link works on the demo's 127.0.0.1:8000 as in production, where the Site row may name another port."""
    return request.build_absolute_uri(award.get_url(request))


def _sent_url(award):
    return award.url + award.reverse_subpage("vote") + "?sent=1"


def _form(request, award, form, nominees, *, status=200, limited=None):
    """The vote form; with `limited`, refused as too many (429), keeping what was chosen and typed."""
    selected = form["nominee"].value()
    response = award.render(
        request,
        template="events/vote_form.html",
        context_overrides={
            "award": award,
            "form": form,
            "nominees": nominees,
            "selected": str(selected) if selected is not None else "",
            "rate_limited": limited.message if limited else "",
        },
    )
    response.status_code = status
    return ratelimit.as_429(response, limited) if limited else response


def _closed(request, award, round_award, *, status):
    response = award.render(
        request,
        template="events/vote_closed.html",
        context_overrides={
            "award": award,
            "round_award": round_award,
            "no_vote": not round_award.public_vote,
            "now": timezone.now(),
        },
    )
    response.status_code = status
    return response


def _confirmation(request, award, state, *, vote=None, error=None):
    nominee = vote.nominee.localized if vote is not None else None
    response = award.render(
        request,
        template="events/vote_confirmed.html",
        context_overrides={
            "award": award,
            "state": state,
            "nominee": nominee,
            "error": error,
            "vote_url": award.url + award.reverse_subpage("vote"),
            "can_vote_again": state in VOTE_AGAIN and voting.counting_award(award).voting_open(),
        },
    )
    response.status_code = REFUSAL_STATUS.get(state, 200)
    return response
