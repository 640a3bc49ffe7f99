"""The public nomination form of an award (AwardPage routes nominera/ and nominera/tack/)."""

from django.http import Http404


def nominate(request, award):
    raise Http404


def nominated(request, award):
    raise Http404
