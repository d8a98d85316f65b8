"""A long trip's page and its day pages in a real Chromium: WCAG 2.1 AA in three languages, and
a reader going from the trip page to a day and on to the next."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import VIEWPORT
from tests.browser.test_accessibility import LANGUAGES, axe_violations
from tests.trips.long_trip import import_long_trip

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that lets axe-core in as an inline script, past the site's Content-Security-Policy."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def long_trip(transactional_db: None) -> str:
    import_long_trip(120)
    return "/trips/test-trip/"


@pytest.mark.parametrize("prefix", LANGUAGES)
def test_long_trip_and_day_pages_meet_wcag_21_aa(
    page: Page, live_server: LiveServer, long_trip: str, prefix: str
) -> None:
    found = {}
    for path in [
        long_trip,
        f"{long_trip}itinerary/2021-03-01/",
        f"{long_trip}itinerary/2021-03-01/?tz=Asia/Tokyo",
    ]:
        answer = page.goto(live_server.url + prefix + path)
        assert answer is not None
        assert answer.status == 200, path
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def test_a_reader_goes_from_the_trip_to_a_day_and_the_next(
    page: Page, live_server: LiveServer, long_trip: str
) -> None:
    page.goto(live_server.url + long_trip)
    page.get_by_role("link", name="Monday, March 1, 2021").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monday, March 1, 2021")
    expect(page.locator("li.engagement")).to_have_count(9)
    page.locator("#tz").fill("Asia/Tokyo")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#mx-long-0000 .when time")).to_have_text(
        "8:00 a.m. in Monterrey, 9:00 a.m. in Washington, D.C., 11:00 p.m. in Tokyo"
    )
    page.get_by_role("link", name="Tuesday, March 2, 2021 →").click()
    expect(page).to_have_url(f"{live_server.url}{long_trip}itinerary/2021-03-02/?tz=Asia/Tokyo")
    expect(page.locator("li.engagement").first).to_contain_text("Roundtable 12")
