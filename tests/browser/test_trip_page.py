"""The demo trip's public page, driven through a real Chromium against the live server."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.browser

FIRST_ENGAGEMENT = "#mx-port-of-entry-tour"


def open_trip(page: Page, live_server: LiveServer, slug: str, query: str = "") -> None:
    page.goto(f"{live_server.url}/trips/{slug}/{query}")


def pick_zone(page: Page, zone: str) -> None:
    page.locator("#tz").fill(zone)
    page.get_by_role("button", name="Show").click()


def test_destination_headings_anonymous(page: Page, live_server: LiveServer, demo_trip: str) -> None:
    open_trip(page, live_server, demo_trip)

    assert page.locator("section.destination h3").all_inner_texts() == ["Mexico", "Canada", "United States"]


def test_private_engagement_hidden_anonymous(page: Page, live_server: LiveServer, demo_trip: str) -> None:
    open_trip(page, live_server, demo_trip)

    expect(page.locator("section.destination").first).to_be_visible()
    assert "Preparation call with the trip team" not in page.content()
    expect(page.locator("#us-trip-preparation")).to_have_count(0)
    expect(page.locator("li.engagement.private")).to_have_count(0)
    expect(page.get_by_text("You are signed in as staff")).to_have_count(0)


def test_first_engagement_times_anonymous(page: Page, live_server: LiveServer, demo_trip: str) -> None:
    open_trip(page, live_server, demo_trip)

    expect(page.locator(f"{FIRST_ENGAGEMENT} .when time")).to_have_text(
        "7:15 a.m. in Ciudad Juárez, 9:15 a.m. in Washington, D.C."
    )


def test_zone_picker_known_zone(page: Page, live_server: LiveServer, demo_trip: str) -> None:
    open_trip(page, live_server, demo_trip)

    pick_zone(page, "Asia/Tokyo")

    # 14:15 UTC on 2021-02-26 is 23:15 the same day in Tokyo, so the reading names no other day.
    expect(page).to_have_url(f"{live_server.url}/trips/{demo_trip}/?tz={quote('Asia/Tokyo', safe='')}")
    expect(page.locator(f"{FIRST_ENGAGEMENT} .when time")).to_have_text(
        "7:15 a.m. in Ciudad Juárez, 9:15 a.m. in Washington, D.C., 11:15 p.m. in Tokyo"
    )
    expect(page.locator("#tz")).to_have_value("Asia/Tokyo")
    expect(page.locator("#tz")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_zone_picker_unknown_zone(page: Page, live_server: LiveServer, demo_trip: str) -> None:
    open_trip(page, live_server, demo_trip)

    with page.expect_response(lambda response: "tz=" in response.url) as answer:
        pick_zone(page, "Mars/Olympus")

    assert answer.value.status == 400
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"^Unknown time zone 'Mars/Olympus'"))
    expect(page.locator("#tz")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#tz")).to_have_attribute("aria-describedby", "tz-error")
    expect(page.locator("#tz")).to_have_value("Mars/Olympus")
    # The page still shows the itinerary, in the trip's own two zones.
    expect(page.locator(f"{FIRST_ENGAGEMENT} .when time")).to_have_text(
        "7:15 a.m. in Ciudad Juárez, 9:15 a.m. in Washington, D.C."
    )


def test_schedule_link_public_day(page: Page, live_server: LiveServer, demo_trip: str) -> None:
    open_trip(page, live_server, demo_trip)
    links = page.locator("p.links a")
    assert links.all_inner_texts() == [
        "Schedule as planned, Feb. 26, 2021",
        "Subscribe to the calendar (iCalendar)",
        "Subscribe to new documents (Atom)",
    ]

    links.first.click()

    expect(page).to_have_url(f"{live_server.url}/trips/{demo_trip}/schedule/2021-02-26/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Public Schedule")
    expect(page.locator("dl.schedule dt time").first).to_have_text("9:15 a.m.")
