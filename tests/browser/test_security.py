"""Pages under the Content-Security-Policy: each kind loads with nothing blocked, the admin included,
and the API docs render from the site's own files with the network cut off."""

import io
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import VIEWPORT
from tests.factories.rooms import ended_engagement, live_engagement, seat
from tests.janus import AsgiServer
from virtualtrip.publishing.models import Document
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.browser

# Runs before the page's own scripts, and outside its policy, in every page of the context.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


class WatchedBrowser:
    """A browser context that records every policy violation its pages report, and their console's."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.console: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self, page: Page, url: str, ready: str = "main, #content, #swagger-ui") -> list[str]:
        """Open `url` and wait for it to settle; the violations it reported."""
        answer = page.goto(url)
        assert answer is not None, f"{url} did not load"
        assert answer.status == 200, f"{url} answered {answer.status}"
        assert page.url == url, f"{url} went on to {page.url}"
        page.wait_for_selector(ready, state="attached")
        page.wait_for_load_state("networkidle")
        reported: list[str] = page.evaluate("window.cspViolations")
        return reported + self.console


@pytest.fixture
def watched(browser: Browser) -> Iterator[WatchedBrowser]:
    context = browser.new_context(viewport=VIEWPORT)
    yield WatchedBrowser(context)
    context.close()


def log_in_as_superuser(context: BrowserContext, live_server: LiveServer) -> None:
    """Give the browser a superuser's session, made by Django's test client."""
    user = User.objects.create_superuser("planner", password="a-long-test-password")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


@pytest.fixture
def pages(demo_trip: str) -> dict[str, str]:
    """A page of each kind the site's own templates and the admin make, on the demo trip."""
    call_command("load_demo_documents", stdout=io.StringIO(), stderr=io.StringIO())
    readout = Document.objects.get(kind="readout", language="en", engagement__key="mx-foreign-secretary")
    engagement = Engagement.objects.get(key="mx-foreign-secretary")
    meeting = live_engagement(title="Meeting with the counterpart", starts_at=timezone.now())
    counterpart = seat(meeting, Role.COUNTERPART, name="Carla Counterpart")
    return {
        "trip": f"/trips/{demo_trip}/",
        "document": f"/trips/{demo_trip}/documents/{readout.pk}/",
        "engagement": f"/es/trips/{demo_trip}/engagements/mx-foreign-secretary/",
        "search": "/search/?q=meeting",
        "log in": "/accounts/login/",
        "room": do_issue_join_link(counterpart, acting_user=None),
        "api docs": "/api/docs",
        "admin": "/admin/",
        "admin documents": "/admin/publishing/document/",
        "admin document": f"/admin/publishing/document/{readout.pk}/change/",
        "admin comparison": f"/admin/publishing/document/{readout.pk}/compare/1/1/",
        "admin engagement": f"/admin/trips/engagement/{engagement.pk}/change/",
        "admin new engagement": "/admin/trips/engagement/add/",
    }


def test_no_page_reports_a_policy_violation(
    watched: WatchedBrowser, live_server: LiveServer, pages: dict[str, str]
) -> None:
    log_in_as_superuser(watched.context, live_server)
    page = watched.context.new_page()
    found = {}
    for name, path in pages.items():
        violations = watched.violations(page, live_server.url + path)
        watched.console.clear()
        if violations:
            found[name] = violations
    assert found == {}


def test_an_inline_script_would_be_reported(watched: WatchedBrowser, live_server: LiveServer) -> None:
    """The watch above can see a violation: a script added to a page by hand is blocked and reported."""
    page = watched.context.new_page()
    assert watched.violations(page, live_server.url + "/accounts/login/") == []
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.ran = true";
        document.body.append(script);
    }""")
    page.wait_for_function("() => window.cspViolations.length > 0")
    assert page.evaluate("window.ran === undefined")
    assert page.evaluate("window.cspViolations")[0].startswith("script-src-elem inline")


def test_api_docs_show_the_operations_with_the_network_cut_off(
    watched: WatchedBrowser, live_server: LiveServer, transactional_db: None
) -> None:
    site = urlsplit(live_server.url).netloc
    refused: list[str] = []

    def only_the_site(route: Route) -> None:
        if urlsplit(route.request.url).netloc == site:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    watched.context.route("**/*", only_the_site)
    page = watched.context.new_page()
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/trips" in [path.replace("\u200b", "") for path in paths]
    assert page.evaluate("window.cspViolations") == []
    assert refused == []


def test_room_page_opens_its_socket_under_the_policy(
    watched: WatchedBrowser, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control socket (ws: on the page's own host and port) passes both connect-src and the
    server's origin check: joining a meeting that is over hears so from the socket."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    principal = seat(ended_engagement(timedelta(minutes=10)), Role.PRINCIPAL)
    with AsgiServer() as server:
        page = watched.context.new_page()
        assert watched.violations(page, server.url + do_issue_join_link(principal, acting_user=None)) == []
        page.click("#join")
        page.wait_for_function("() => window.vtRoom && window.vtRoom.state === 'over'", timeout=15_000)
        assert page.evaluate("window.cspViolations") == []
