"""Checks shared by the trip-file import and the admin, so both refuse the same things.

Each `*_problem` function returns a message for the person who wrote the value, or None.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable

import pycountry
from django.core.exceptions import ValidationError

from virtualtrip.trips.times import known_zones

SUMMARY_MAX_LENGTH = 4000
"""A trip's summary: a few paragraphs. The other texts take their models' max_length."""

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
"""What no stored text may hold: PostgreSQL refuses NUL outright, and the other control characters
(tab and line breaks aside), separators and lone surrogates are invisible on a page and make feeds
and calendars invalid."""

_CHARACTER_NAMES = {
    "\x00": "NUL",
    "\x1b": "ESC",
    "\x7f": "DEL",
    "\u2028": "LINE SEPARATOR",
    "\u2029": "PARAGRAPH SEPARATOR",
}


def describe_character(character: str) -> str:
    """'the NUL character (U+0000)', 'a control character (U+0007)', 'the character U+D800'."""
    code = f"U+{ord(character):04X}"
    name = _CHARACTER_NAMES.get(character) or unicodedata.name(character, "")
    if name:
        return f"the {name} character ({code})"
    return (
        f"a control character ({code})"
        if unicodedata.category(character) == "Cc"
        else f"the character {code}"
    )


def text_problem(text: str) -> str | None:
    """'contains ...' when `text` holds a character no stored text may hold, else None."""
    found = CONTROL_CHARACTER.search(text)
    if found is None:
        return None
    return f"contains {describe_character(found.group())}, which cannot be stored: remove it"


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the nearest valid choice, or '' when none is near."""
    options = list(choices)
    lowered = {option.lower(): option for option in options}
    if value.lower() in lowered:
        return f" (did you mean '{lowered[value.lower()]}'?)"
    near = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" (did you mean '{near[0]}'?)" if near else ""


def country_codes() -> list[str]:
    return [country.alpha_2 for country in pycountry.countries]


def country_problem(code: str) -> str | None:
    if pycountry.countries.get(alpha_2=code) is not None and code.isupper():
        return None
    hint = did_you_mean(code, country_codes())
    return f"unknown country '{code}': use an ISO 3166-1 alpha-2 code such as MX{hint}"


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", country.name))


def language_codes() -> list[str]:
    return [lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")]


def language_problem(code: str) -> str | None:
    if code.islower() and pycountry.languages.get(alpha_2=code) is not None:
        return None
    return (
        f"unknown language '{code}': use an ISO 639-1 code such as es{did_you_mean(code, language_codes())}"
    )


def timezone_problem(name: str) -> str | None:
    if name in known_zones():
        return None
    hint = did_you_mean(name, sorted(known_zones()))
    return f"unknown time zone '{name}': use an IANA name such as America/Mexico_City{hint}"


def _raise_for(problem: str | None) -> None:
    if problem:
        raise ValidationError(problem)


def validate_country(code: str) -> None:
    """Model-field validator with the import's rule and message."""
    _raise_for(country_problem(code))


def validate_timezone(name: str) -> None:
    _raise_for(timezone_problem(name))


def validate_text(text: str) -> None:
    """Form-field validator: no control characters (tab and line breaks are fine)."""
    _raise_for(text_problem(text))


def validate_languages(codes: object) -> None:
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise ValidationError('languages must be a list of ISO 639-1 codes, e.g. ["en", "fr"]')
    for code in codes:
        _raise_for(language_problem(code))
