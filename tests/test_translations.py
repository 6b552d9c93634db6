"""The Chinese catalog is complete (nothing untranslated, nothing fuzzy) and the committed .mo matches it."""

import json
from pathlib import Path

from django.utils import translation

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    """(context, msgid, plural, [msgstr...], flags) of every entry but the header."""
    for block in CATALOG.read_text(encoding="utf-8").split("\n\n"):
        fields, flags, current = {}, set(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[current] += json.loads(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = json.loads(value)
        if fields.get("msgid"):
            strings = [value for key, value in fields.items() if key.startswith("msgstr")]
            yield fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strings, flags


def test_every_string_is_translated_and_none_is_fuzzy():
    problems = [
        (ctx, msgid) for ctx, msgid, _plural, strings, flags in entries() if "fuzzy" in flags or not all(strings)
    ]
    assert problems == []


def test_the_compiled_catalog_matches_the_source():
    stale = []
    with translation.override("zh-hans"):
        for ctx, msgid, plural, strings, _flags in entries():
            if plural:
                got = translation.npgettext(ctx, msgid, plural, 1) if ctx else translation.ngettext(msgid, plural, 1)
            else:
                got = translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
            if got != strings[0]:
                stale.append((ctx, msgid, got))
    assert stale == []
