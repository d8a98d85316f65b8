"""Checks shared by the trip-file import and the admin, so both refuse the same things.

Each `*_problem` function returns a message for the person who wrote the value, or None.
"""

import difflib
from collections.abc import Iterable

import pycountry
from django.core.exceptions import ValidationError

from virtualtrip.trips.times import known_zones


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


def validate_languages(codes: object) -> None:
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise ValidationError('languages must be a list of ISO 639-1 codes, e.g. ["en", "fr"]')
    for code in codes:
        _raise_for(language_problem(code))
