"""Names of countries and of the cities zones are named after, in the page's language.

Countries come from pycountry's translations of ISO 3166-1 ("México", "Mexique"); cities from the
exemplar cities of the Unicode CLDR, through Babel ("Ciudad de México", "Katmandou"). Names a
planner wrote (a location, the home city) are shown as written, never through here.
"""

from collections import defaultdict
from functools import cache
from gettext import NullTranslations, translation

import pycountry
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from django.utils.translation import get_language, to_locale

from virtualtrip.trips.times import zone_city as zone_city_from_name


def _language(language: str | None) -> str:
    """The active language as a locale name ('es', 'pt_BR'); English outside a request."""
    return to_locale(language or get_language() or "en")


@cache
def _country_names(locale_name: str) -> NullTranslations:
    return translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale_name], fallback=True)


def country_name(code: str, language: str | None = None) -> str:
    """The country's short name ('Bolivia' rather than 'Bolivia, Plurinational State of') in
    `language`, by default the active one; the code itself when it names no country."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = str(getattr(country, "common_name", country.name))
    return _country_names(_language(language)).gettext(english)


@cache
def _cldr_names() -> dict[str, tuple[str, ...]]:
    """For each IANA zone, the names CLDR may file it under: CLDR keeps a zone's first name
    (Asia/Katmandu, Asia/Calcutta) where the IANA database renamed it (Asia/Kathmandu)."""
    older: defaultdict[str, list[str]] = defaultdict(list)
    for alias, zone in get_global("zone_aliases").items():
        older[zone].append(alias)
    return {zone: tuple(names) for zone, names in older.items()}


@cache
def _locale(locale_name: str) -> Locale | None:
    try:
        return Locale.parse(locale_name)
    except (UnknownLocaleError, ValueError):
        return None


@cache
def _zone_city(zone_name: str, locale_name: str) -> str:
    locale = _locale(locale_name)
    if locale is not None:
        for name in (zone_name, *_cldr_names().get(zone_name, ())):
            city = (locale.time_zones.get(name) or {}).get("city")
            if city:
                return str(city)
    return zone_city_from_name(zone_name)


def zone_city(zone_name: str, language: str | None = None) -> str:
    """The city a zone is named after, as `language` (by default the active one) writes it: 'Tokio'
    for Asia/Tokyo in Spanish. Where CLDR names no city, the zone's own name made readable."""
    return _zone_city(zone_name, _language(language))
