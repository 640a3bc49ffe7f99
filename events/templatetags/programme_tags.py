"""Template helpers for the programme page and its routes."""

from django import template

register = template.Library()


@register.filter
def localized(obj, field):
    """`{{ session|localized:"title" }}`: the field in the language being shown (see events.models.Localized)."""
    return obj.localized(field)


@register.simple_tag(takes_context=True)
def programme_url(context, route, *args):
    """The address of one of the programme page's routes: `{% programme_url "session" session.pk session.slug %}`.

    Built from the page's address worked out once a request (`programme_url` in the context), so a listing of
    hundreds of sessions costs no query for its links.
    """
    base = context["programme_url"]
    if not base.endswith("/"):
        base += "/"
    return base + context["page"].reverse_subpage(route, args=args)
