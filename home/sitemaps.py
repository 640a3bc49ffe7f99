from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class TranslatedSitemap(Sitemap):
    """Wagtail's sitemap, extended from the site's root to every translation of it (so /en/ pages are listed)."""

    def items(self):
        root = self.get_wagtail_site().root_page
        in_any_language = Q()
        for translated_root in root.get_translations(inclusive=True):
            in_any_language |= Q(path__startswith=translated_root.path)
        return Page.objects.filter(in_any_language).live().public().order_by("path").defer_streamfields().specific()
