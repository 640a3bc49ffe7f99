"""Demo content for the site as a whole: locales, the page tree's top, site settings, people and groups.

Every function here is idempotent: it creates what is missing and leaves what exists, edited or not, alone.
People named here are fictional, and their names say so.
"""

import os
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, Page, Site

from home.models import ContentPage, HomePage, SiteSettings

DEMO_PASSWORD_DEFAULT = "trygg-demo-2026"  # noqa: S105  (demo only; printed by `make run`)


def demo_password():
    return os.environ.get("DJANGO_SUPERUSER_PASSWORD") or DEMO_PASSWORD_DEFAULT


@dataclass
class Translated:
    """A page's fields in Swedish and in English, and its inline children (relation name → rows per language)."""

    sv: dict
    en: dict
    children: dict = field(default_factory=dict)


def locales():
    sv, _ = Locale.objects.get_or_create(language_code="sv")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return sv, en


def ensure_page(parent, page_class, slug, content: Translated):
    """The page `slug` under `parent` in Swedish and its English translation, created and published if missing."""
    sv_locale, en_locale = locales()
    page = page_class.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = page_class(slug=slug, locale=sv_locale, **content.sv)
        _set_children(page, content.children, "sv")
        parent.add_child(instance=page)
        page.save_revision().publish()
    if not page.has_translation(en_locale):
        translation = page_class(
            locale=en_locale, translation_key=page.translation_key, **{"slug": slug, **content.sv, **content.en}
        )
        _set_children(translation, content.children, "en")
        parent.get_translation(en_locale).add_child(instance=translation)
        translation.save_revision().publish()
    return page


def _set_children(page, children, language):
    for relation, rows in children.items():
        model = page._meta.get_field(relation).related_model
        getattr(page, relation).set([model(sort_order=i, **row[language]) for i, row in enumerate(rows)])


@transaction.atomic
def seed_home():
    """The home page in both languages as the default site's root, with the site's settings."""
    sv_locale, en_locale = locales()
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=sv_locale))
    home = HomePage.objects.filter(locale=sv_locale).first()
    if home is None:
        home = HomePage(
            title="Trygg & Säker",
            slug="hem",
            locale=sv_locale,
            lead=(
                "Sveriges mötesplats för trygghet och säkerhet. Två dagar för kommuner, polis, regioner och "
                "näringsliv om brottsförebyggande arbete, krisberedskap och trygga offentliga miljöer."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        placeholder = site.root_page
        site.root_page = home
        site.site_name = "Trygg & Säker"
        site.save()
        # Wagtail's migration leaves a "Welcome" page; it has served its purpose.
        if placeholder.specific_class is Page and not placeholder.get_children().exists():
            placeholder.delete()
            root.refresh_from_db()

    if not home.has_translation(en_locale):
        english = HomePage(
            title="Trygg & Säker",
            slug="home",
            locale=en_locale,
            translation_key=home.translation_key,
            lead=(
                "Sweden's meeting place for public safety. Two days for municipalities, police, regions and "
                "business on crime prevention, crisis preparedness and safe public spaces."
            ),
        )
        root.add_child(instance=english)
        english.save_revision().publish()

    settings, _ = SiteSettings.objects.get_or_create(site=site)
    if not settings.organiser:
        settings.organiser = "Offentliga Affärer (demoarrangör)"
        settings.organisation_number = "556000-0000"
        settings.email = "konferens@example.org"
        settings.phone = "08-000 00 00"
        settings.address = "Exempelgatan 1\n111 11 Stockholm"
        settings.footer_text = "<p>Trygg &amp; Säker – konferensen om trygghet och säkerhet i offentlig sektor.</p>"
        settings.footer_text_en = "<p>Trygg &amp; Säker – the conference on public safety and security.</p>"
        settings.social_links = [("link", {"service": "linkedin", "url": "https://www.linkedin.com/"})]
        settings.save()
    return home


def seed_content_pages(home):
    ensure_page(
        home,
        ContentPage,
        "om-konferensen",
        Translated(
            sv={
                "title": "Om konferensen",
                "show_in_menus": True,
                "search_description": "Vad Trygg & Säker är, vem den är till för och hur den går till.",
                "lead": "Trygg & Säker samlar dem som arbetar för ett tryggare samhälle, varje år sedan 2000-talet.",
                "body": [
                    ("heading", "För vem?"),
                    (
                        "paragraph",
                        "<p>Säkerhetschefer, trygghetssamordnare, poliser, räddningstjänst, förtroendevalda och "
                        "näringsliv: alla som arbetar med trygghet, skydd mot olyckor och krishantering.</p>",
                    ),
                    ("heading", "Banketten och Omfamningen"),
                    (
                        "paragraph",
                        "<p>Första kvällen äter vi bankett tillsammans. Vid bankettens slut utses vinnaren av "
                        "Omfamningen – Årets Trygghetsskapare.</p>",
                    ),
                ],
            },
            en={
                "title": "About the conference",
                "slug": "about",
                "search_description": "What Trygg & Säker is, who it is for and how it works.",
                "lead": "Trygg & Säker brings together the people who work for a safer society.",
                "body": [
                    ("heading", "Who is it for?"),
                    (
                        "paragraph",
                        "<p>Security managers, community safety coordinators, police, rescue services, elected "
                        "officials and business: everyone working on safety, accident prevention and crisis "
                        "management.</p>",
                    ),
                    ("heading", "The banquet and Omfamningen"),
                    (
                        "paragraph",
                        "<p>On the first evening we dine together at the banquet. At its end the winner of "
                        "Omfamningen – Safety Maker of the Year is revealed.</p>",
                    ),
                ],
            },
        ),
    )
    return ensure_page(
        home,
        ContentPage,
        "anmalan",
        Translated(
            sv={
                "title": "Anmälan",
                "show_in_menus": True,
                "search_description": "Konferenspass, dagpass och bankett. Betala med kort eller faktura.",
                "lead": "Anmäl dig själv eller flera kollegor på en gång. Betala med kort eller mot faktura.",
                "body": [
                    ("heading", "Biljetter"),
                    (
                        "paragraph",
                        "<ul><li>Konferenspass, båda dagarna</li><li>Dagpass</li><li>Bankett</li></ul>"
                        "<p>Offentliga organisationer betalar ofta mot faktura: ange organisationsnummer och "
                        "er referens vid anmälan.</p>"
                        '<p><a href="/biljetter/">Välj biljetter och anmäl er</a></p>',
                    ),
                ],
            },
            en={
                "title": "Registration",
                "slug": "registration",
                "search_description": "Conference pass, day pass and banquet. Pay by card or invoice.",
                "lead": "Register yourself or several colleagues at once. Pay by card or by invoice.",
                "body": [
                    ("heading", "Tickets"),
                    (
                        "paragraph",
                        "<ul><li>Conference pass, both days</li><li>Day pass</li><li>Banquet</li></ul>"
                        "<p>Public organisations often pay by invoice: give your organisation number and "
                        "reference when you register.</p>"
                        '<p><a href="/en/biljetter/">Choose tickets and register</a></p>',
                    ),
                ],
            },
        ),
    )


# --- People ---------------------------------------------------------------------------------------

ADMIN_ACCESS = ("wagtailadmin", "access_admin")
PAGE_EDITING = ["add", "change", "publish", "lock", "unlock"]
MEDIA_EDITING = ["add", "change", "choose"]

PROGRAMME_EDITING = [
    ("events", f"{action}_{model}")
    for model in ("session", "speaker", "room", "track")
    for action in ("add", "change", "delete", "view")
]

TICKET_ADMINISTRATION = [
    ("tickets", f"{action}_{model}")
    for model in ("tickettype", "capacity", "voucher")
    for action in ("add", "change", "delete", "view")
] + [
    ("tickets", "view_order"),
    ("tickets", "change_order"),
    ("tickets", "view_invoice"),
    ("tickets", "change_invoicesettings"),
    *[("tickets", f"{action}_checkinlist") for action in ("add", "change", "delete", "view")],
    *[("tickets", f"{action}_scannerdevice") for action in ("add", "change", "view")],
    ("tickets", "add_checkin"),
    ("tickets", "view_checkin"),
]

GROUPS = {
    "Redaktörer": {
        "permissions": [ADMIN_ACCESS, *PROGRAMME_EDITING],
        "pages": PAGE_EDITING,
        "media": MEDIA_EDITING,
    },
    "Arrangörer": {
        "permissions": [
            ADMIN_ACCESS,
            *PROGRAMME_EDITING,
            ("events", "add_edition"),
            ("events", "change_edition"),
            ("events", "view_edition"),
            ("events", "view_nomination"),
            ("events", "change_nomination"),
            ("events", "view_vote"),
            ("home", "change_sitesettings"),
            *TICKET_ADMINISTRATION,
        ],
        "pages": PAGE_EDITING,
        "media": MEDIA_EDITING,
    },
    "Entrépersonal": {
        "permissions": [ADMIN_ACCESS, ("tickets", "add_checkin"), ("tickets", "view_checkinlist")],
        "pages": [],
        "media": [],
    },
    "Jury": {"permissions": [ADMIN_ACCESS], "pages": [], "media": []},
}

USERS = [
    # username, first name, last name, group (None: superuser)
    ("admin", "Ada", "Adminsson", None),
    ("redaktor", "Rut", "Redaktörsson", "Redaktörer"),
    ("arrangor", "Anna", "Arrangörsson", "Arrangörer"),
    ("entre", "Erik", "Entrésson", "Entrépersonal"),
    ("jury", "Judit", "Jurysson", "Jury"),
    ("jury2", "Jonas", "Bedömarsson", "Jury"),
]


@transaction.atomic
def seed_people(home):
    """The staff groups with their permissions, and one demo user in each; passwords are set only on creation."""
    for name, spec in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in spec["permissions"]
            ]
        )
        for action in spec["pages"]:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{action}_page")
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
        root_collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
        for app in ("wagtailimages", "wagtaildocs"):
            for action in spec["media"]:
                model = "image" if app == "wagtailimages" else "document"
                permission = Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )

    User = get_user_model()
    for username, first_name, last_name, group_name in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
                "is_staff": group_name is None,
                "is_superuser": group_name is None,
            },
        )
        if created:
            user.set_password(demo_password())
            user.save(update_fields=["password"])
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
