from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from home.login import LoginView
from home.sitemaps import TranslatedSitemap
from tickets.views import scanner

# Addresses that machines and other sites rely on carry no language prefix (see DESIGN.md, "Contracts").
urlpatterns = [
    path("health", home_views.health, name="health"),
    path("admin/2fa/", include("home.two_factor.urls")),  # before the admin, which catches all under it
    # Wagtail's log-in with a limit on failed attempts; before the admin's own, which it replaces.
    path("admin/login/", LoginView.as_view(), name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": TranslatedSitemap}}, name="sitemap"),
    path("live/", include("events.live.urls")),
    path("api/", include("tickets.api")),
    path("", include("events.urls")),
    path("", include("tickets.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages: Swedish at /, English at /en/.
urlpatterns += i18n_patterns(
    path("biljetter/", include("tickets.urls_public")),
    path("scan/", scanner.scanner, name="scanner"),
    path("scan/manifest.webmanifest", scanner.manifest, name="scan_manifest"),
    path("scan/worker.js", scanner.service_worker, name="scan_worker"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
