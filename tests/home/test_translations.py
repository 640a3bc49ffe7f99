from pathlib import Path

import polib
import pytest

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def test_there_is_a_swedish_catalogue():
    assert LOCALE_DIR / "sv" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("source", CATALOGUES, ids=lambda path: path.parts[-3])
def test_every_message_is_translated(source):
    catalogue = polib.pofile(str(source))

    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("source", CATALOGUES, ids=lambda path: path.parts[-3])
def test_the_committed_compiled_catalogue_matches_its_source(source):
    """The .mo files are committed so that a machine without gettext tools still speaks Swedish."""
    compiled = polib.mofile(str(source.with_suffix(".mo")))
    translations = {entry.msgid: entry.msgstr for entry in polib.pofile(str(source)).translated_entries()}

    assert {entry.msgid: entry.msgstr for entry in compiled if entry.msgid} == translations
