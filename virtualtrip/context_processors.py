"""What every page's frame needs: the languages it can be read in, for the switcher and hreflang."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


@dataclass(frozen=True)
class PageLanguage:
    code: str
    name: str
    url: str
    current: bool


def languages(request: HttpRequest) -> dict[str, object]:
    here = get_language()
    path = request.get_full_path()
    versions = [
        PageLanguage(code, str(name), translate_url(path, code), code == here)
        for code, name in settings.LANGUAGES
    ]
    return {"page_languages": versions}
