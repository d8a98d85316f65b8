"""Every public page type, and the room page, in English, Spanish and French, checked by axe-core
against WCAG 2.1 A and AA. Any violation fails the test and is listed with the elements at fault.

Set VIRTUALTRIP_SCREENSHOTS=DIR to keep a full-page screenshot of each page looked at.
"""

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import VIEWPORT
from tests.factories.rooms import live_engagement, seat
from virtualtrip.publishing.models import Document
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ["", "/es", "/fr"]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that lets axe-core in as an inline script, past the site's Content-Security-Policy
    (tests/browser/test_security.py checks the same pages under the policy)."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def public_pages(demo_trip: str) -> dict[str, str]:
    """One path of each public page type, on the demo trip with its documents published."""
    call_command("load_demo_documents", stdout=io.StringIO(), stderr=io.StringIO())
    readout = Document.objects.get(kind="readout", language="en", engagement__key="mx-foreign-secretary")
    engagement = live_engagement(title="Meeting with the counterpart", starts_at=timezone.now())
    counterpart = seat(engagement, Role.COUNTERPART, name="Carla Counterpart")
    return {
        "trips": "/",
        "trip": f"/trips/{demo_trip}/",
        "document": f"/trips/{demo_trip}/documents/{readout.pk}/",
        "engagement": f"/trips/{demo_trip}/engagements/mx-foreign-secretary/",
        "schedule": f"/trips/{demo_trip}/schedule/2021-02-26/",
        "search": "/search/?q=meeting",
        "log in": "/accounts/login/",
        "room": do_issue_join_link(counterpart, acting_user=None),
    }


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "where": [n["target"] for n in v["nodes"]][:5],
            "help": v["help"],
        }
        for v in result["violations"]
    ]


@pytest.mark.parametrize("prefix", LANGUAGES)
def test_every_page_type_meets_wcag_21_aa(
    page: Page, live_server: LiveServer, public_pages: dict[str, str], prefix: str
) -> None:
    shots = os.environ.get("VIRTUALTRIP_SCREENSHOTS")
    found = {}
    for name, path in public_pages.items():
        answer = page.goto(live_server.url + prefix + path)
        assert answer is not None, f"{name}: {prefix + path} did not load"
        assert answer.status == 200, f"{name}: {prefix + path} answered {answer.status}"
        assert page.locator("html").get_attribute("lang") == (prefix.strip("/") or "en")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
        if shots:
            page.screenshot(
                path=f"{shots}/{name.replace(' ', '-')}{prefix.replace('/', '-')}.png", full_page=True
            )
    assert found == {}
