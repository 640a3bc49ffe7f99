"""The public vote of an award (AwardPage routes rosta/ and rosta/bekrafta/<token>/)."""

from django.http import Http404


def vote(request, award):
    raise Http404


def confirm_vote(request, award, token):
    raise Http404
