"""The translation catalogs: every entry translated, none left as a guess. `makemessages` marks a
new string it thinks resembles an old one as fuzzy, with the old translation; gettext then skips it
and the page shows English."""

import re
from pathlib import Path

import pytest

CATALOGS = sorted(Path(__file__).parent.parent.joinpath("virtualtrip").glob("**/locale/*/LC_MESSAGES/*.po"))
UNTRANSLATED = re.compile(r'^msgstr(\[\d+\])? ""\n(?!")', re.MULTILINE)


def test_there_are_catalogs() -> None:
    assert {path.parent.parent.name for path in CATALOGS} == {"es", "fr"}


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: str(path.relative_to(path.parents[4])))
def test_every_entry_is_translated_and_none_is_fuzzy(catalog: Path) -> None:
    text = catalog.read_text(encoding="utf-8")
    header_end = text.index("\n\n")  # the header is the one entry whose msgstr is meant to be long
    body = text[header_end:]
    assert "#, fuzzy" not in body
    missing = [body[: match.start()].count("\n") + 1 for match in UNTRANSLATED.finditer(body)]
    assert missing == [], f"untranslated entries end at these lines after the header: {missing}"
