"""The public nomination form of an award (AwardPage routes nominera/ and nominera/tack/).

The form carries a CSRF token and personal data, so neither the page cache nor browsers keep it.
"""

import logging

from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from events import nominations
from events.nomination_forms import NominationForm
from home import ratelimit

logger = logging.getLogger(__name__)

REFUSAL_STATUS = {"closed": 409}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def nominate(request, award):
    try:
        nominations.ensure_open(award)
    except nominations.NominationsClosed as closed:
        status = REFUSAL_STATUS[closed.code] if request.method == "POST" else 200
        return _render(request, award, "nomination_closed", status=status, message=closed.message)

    if request.method != "POST":
        return _render(request, award, "nomination_form", form=NominationForm(award=award))

    form = NominationForm(request.POST, award=award)
    if form.caught_in_honeypot():  # looks like success to the bot; nothing stored, nothing sent
        logger.info("Nomination caught in the honeypot", extra={"award": award.pk})
        return redirect(_thanks_url(award))
    if not form.is_valid():
        return _render(request, award, "nomination_form", status=400, form=form)
    try:
        nominations.count_nomination(ip=ratelimit.client_ip(request), email=form.cleaned_data["nominator_email"])
        nominations.submit_nomination(
            award, data=form.nomination_data(), answers=form.answers(), language=get_language()
        )
    except nominations.NominationsClosed as closed:  # the round closed while the nominator was writing
        return _render(request, award, "nomination_closed", status=409, message=closed.message)
    except nominations.TooManyNominations as refusal:  # the form again, with what was typed
        response = _render(request, award, "nomination_form", form=form, refusal=refusal.message)
        return ratelimit.as_429(response, refusal.limited)
    except nominations.NominationRefused as refusal:
        status = REFUSAL_STATUS.get(refusal.code, 400)
        return _render(request, award, "nomination_form", status=status, form=form, refusal=refusal.message)
    return redirect(_thanks_url(award))


@require_safe
def nominated(request, award):
    return _render(request, award, "nomination_thanks")


def _render(request, award, template, *, status=200, **context):
    """The award page's frame (navigation, language switch) around one of the nomination templates."""
    response = award.render(request, template=f"events/{template}.html", context_overrides=context)
    response.status_code = status
    return response


def _thanks_url(award):
    return award.url + award.reverse_subpage("nominated")
