import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Page, Site

from events.models import AwardPage

pytestmark = pytest.mark.django_db

OUR_APPS = {"home", "events", "tickets", "wagtailcore", "auth"}


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and not model._meta.proxy
    }


def test_seeding_twice_leaves_the_same_rows():
    call_command("seed_demo", stdout=io.StringIO())
    first = row_counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert row_counts() == first
    assert first["wagtailcore.Page"] > 10


def test_seeding_again_keeps_what_editors_changed():
    call_command("seed_demo", stdout=io.StringIO())
    award = AwardPage.objects.get(slug="omfamningen", locale__language_code="sv")
    award.title = "Omfamningen (redigerad)"
    award.save_revision().publish()

    call_command("seed_demo", stdout=io.StringIO())

    award.refresh_from_db()
    assert award.title == "Omfamningen (redigerad)"


def test_the_default_site_serves_the_swedish_home_page():
    call_command("seed_demo", stdout=io.StringIO())

    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class.__name__ == "HomePage"
    assert site.root_page.locale.language_code == "sv"
    assert not Page.objects.filter(depth=2, content_type__model="page").exists()  # Wagtail's welcome page is gone


def test_staff_groups_exist_with_demo_users():
    call_command("seed_demo", stdout=io.StringIO())

    members = {
        group: list(Group.objects.get(name=group).user_set.order_by("username").values_list("username", flat=True))
        for group in ["Redaktörer", "Arrangörer", "Entrépersonal", "Jury"]
    }
    assert members == {
        "Redaktörer": ["redaktor"],
        "Arrangörer": ["arrangor"],
        "Entrépersonal": ["entre"],
        "Jury": ["jury", "jury2"],  # two, so the demo's scores come from two members
    }


def test_omfamningen_history_names_the_earlier_winners():
    call_command("seed_demo", stdout=io.StringIO())

    award = AwardPage.objects.get(slug="omfamningen", locale__language_code="sv")
    winners = {past.year: past.winner for past in award.past_winners.all()}
    assert winners == {2018: "Norrtälje kommun", 2019: "Cecilia Ljung och Kenneth Sundqvist"}
    assert "inga genvägar" in award.past_winners.get(year=2019).motivation
