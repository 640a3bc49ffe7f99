from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.formats import date_format
from django.utils.translation import get_language
from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def site_navigation(context):
    """What the page frame links to, worked out once a page: the home page, the main menu, the language switch.

    The language switch leads to the same page in the other language, or to that language's home page when
    the page has no translation yet.
    """
    request = context["request"]
    page = context.get("page") if isinstance(context.get("page"), Page) else None
    language = get_language()
    site = Site.find_for_request(request)
    homes = {}
    if site is not None:
        translated_roots = site.root_page.get_translations(inclusive=True).live().select_related("locale")
        homes = {root.locale.language_code: root for root in translated_roots}
    home = homes.get(language) or (site.root_page if site else None)

    translations = {}
    if page is not None:
        # On a routable page's sub-route (e.g. /program/talare/<slug>/), stay on that route in the other language.
        match = getattr(request, "routable_resolver_match", None)
        subpath = page.reverse_subpage(match.url_name, args=match.args, kwargs=match.kwargs) if match else ""
        translated_pages = page.get_translations(inclusive=True).live().select_related("locale")
        translations = {other.locale.language_code: other.get_url(request) + subpath for other in translated_pages}

    languages = []
    for code, name in settings.LANGUAGES:
        if page is None:
            url = translate_url(request.get_full_path(), code)
        elif code in translations:
            url = translations[code]
        else:
            url = homes[code].get_url(request) if code in homes else "/"
        languages.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "current": code == language,
            }
        )

    current_path = page.path if page is not None else ""
    menu = [
        {"title": item.title, "url": item.get_url(request), "active": current_path.startswith(item.path)}
        for item in (home.get_children().live().public().in_menu() if home else [])
    ]
    return {"home_url": home.get_url(request) if home else "/", "menu": menu, "languages": languages}


@register.filter
def date_range(start, end):
    """'13–14 oktober 2027', '30 september – 1 oktober 2027': dates in the language being shown."""
    if end is None or start == end:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"


@register.simple_tag
def footer_text(site_settings, language_code):
    return site_settings.footer_text_for(language_code)
