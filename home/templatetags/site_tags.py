from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.formats import date_format
from django.utils.translation import get_language
from wagtail.models import Locale, Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per site language to this page in that language, or to its home page if it is not translated."""
    request = context["request"]
    page = context.get("page")
    current = get_language()
    translations = {}
    if isinstance(page, Page):
        translations = {p.locale.language_code: p.url for p in page.get_translations(inclusive=True).live()}
    links = []
    for code, name in settings.LANGUAGES:
        if page is not None:
            url = translations.get(code) or _home_url(request, code)
        else:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


def _home_url(request, language_code):
    site = Site.find_for_request(request)
    if site is None:
        return "/"
    root = site.root_page
    locale = Locale.objects.filter(language_code=language_code).first()
    translated = root.get_translation_or_none(locale) if locale else None
    return (translated or root).get_url(request)


@register.simple_tag(takes_context=True)
def site_root(context):
    """The home page in the language being shown."""
    request = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return None
    return site.root_page.localized.specific


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The home page's children marked "show in menus", each flagged when it holds the page being shown."""
    root = site_root(context)
    if root is None:
        return []
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    return [
        {"title": item.title, "url": item.get_url(context["request"]), "active": current_path.startswith(item.path)}
        for item in root.get_children().live().public().in_menu()
    ]


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
