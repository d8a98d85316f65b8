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


def language_name(code: str) -> str:
    """A language's English name ("Nepali"), or the code when pycountry does not know it."""
    language = pycountry.languages.get(alpha_2=code)
    return str(language.name) if language is not None else code


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


ATTRIBUTION_MAX_LENGTH = 200
PRIORITY_ENTRY_MAX_LENGTH = 200
PRIORITY_MAX_ENTRIES = 100
_TWO_LETTERS = re.compile("[A-Za-z]{2}")
LINE_BREAK = re.compile("[\t\n\r\x85]")


def attribution_problem(rule: str, attribution: str) -> str | None:
    """The attribution goes with background only: there it is how the press must name the speaker,
    and on or off the record it would mislead (the first names the speaker, the second nothing)."""
    if rule == "background":
        if not attribution.strip():
            return (
                "on background an attribution is required: how the press names the speaker, "
                "e.g. A SENIOR STATE DEPARTMENT OFFICIAL"
            )
        if len(attribution) > ATTRIBUTION_MAX_LENGTH:
            return (
                f"attribution is {len(attribution):,} characters long; "
                f"it may be at most {ATTRIBUTION_MAX_LENGTH}"
            )
        return text_problem(attribution) or _one_line_problem("attribution", attribution)
    if attribution:
        words = "on the record the speaker is named" if rule == "on_record" else "off the record nothing is"
        return f"an attribution goes with background only ({words}): remove it or set the rule to background"
    return None


def _one_line_problem(what: str, text: str) -> str | None:
    if LINE_BREAK.search(text):
        return f"{what} must be one line: it is shown on video labels and in the queue"
    return None


def is_priority_country(entry: str) -> bool:
    """Whether a priority entry names a country (two capitals of ISO 3166-1) rather than an outlet."""
    return len(entry) == 2 and entry.isupper() and pycountry.countries.get(alpha_2=entry) is not None


def priority_entry_problem(entry: str) -> str | None:
    """What makes one entry of a priority list unusable, or None."""
    if not entry.strip():
        return "a priority entry is empty: write an outlet's name or a country code such as MX"
    if len(entry) > PRIORITY_ENTRY_MAX_LENGTH:
        return (
            f"priority entry is {len(entry):,} characters long; "
            f"it may be at most {PRIORITY_ENTRY_MAX_LENGTH} (the length of an outlet)"
        )
    problem = text_problem(entry)
    if problem:
        return f"a priority entry {problem}"
    if LINE_BREAK.search(entry):
        return "a priority entry must be one line: an outlet's name or a country code"
    if _TWO_LETTERS.fullmatch(entry) and not entry.isupper() and is_priority_country(entry.upper()):
        return f"country codes are written in capitals: '{entry.upper()}', not '{entry}'"
    return None


def priority_entry_warning(entry: str) -> str | None:
    """Two capitals that name no country are read as an outlet (AP): said, in case a code was meant."""
    if _TWO_LETTERS.fullmatch(entry) and entry.isupper() and not is_priority_country(entry):
        return (
            f"priority entry '{entry}' is no ISO 3166-1 country code, so it is read as an outlet's "
            f"name{did_you_mean(entry, country_codes())}"
        )
    return None


def priority_key(entry: str) -> str:
    """How entries and outlets are compared: case and spacing aside ('The  Globe' is 'the globe')."""
    return " ".join(entry.split()).casefold()


def queue_priority_problems(policy: str, entries: list[str]) -> list[tuple[int | None, str]]:
    """(index of the entry or None for the whole list, message) for each problem of a priority list."""
    if policy != "priority":
        if entries:
            return [(None, "a priority list goes with order priority only: remove it or set the order")]
        return []
    if not entries:
        return [(None, "order priority needs a priority list of outlets or country codes, e.g. [MX, CBC]")]
    if len(entries) > PRIORITY_MAX_ENTRIES:
        return [(None, f"a priority list holds at most {PRIORITY_MAX_ENTRIES} entries, not {len(entries):,}")]
    problems: list[tuple[int | None, str]] = []
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        problem = priority_entry_problem(entry)
        key = priority_key(entry)
        if problem:
            problems.append((index, problem))
        elif key in first:
            problems.append(
                (index, f"'{entry}' is listed twice in priority (first as entry {first[key] + 1})")
            )
        else:
            first[key] = index
    return problems


def validate_queue_priority(entries: object) -> None:
    """Model-field validator: a list of texts, each usable, none twice (the policy is the form's)."""
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        raise ValidationError('the priority list is a list of outlets or country codes, e.g. ["MX", "CBC"]')
    problems = queue_priority_problems("priority", entries) if entries else []
    if problems:
        raise ValidationError([message for _index, message in problems])


def validate_attribution_text(text: str) -> None:
    """Model-field validator: the attribution's own shape (whether one is wanted is the rule's)."""
    _raise_for(text_problem(text) or _one_line_problem("attribution", text))
