"""Production headers and logins: the Content-Security-Policy, the device cookie over HTTPS, failed
logins throttled per account and per address, and the API docs served from the site itself."""

import json
import re
from pathlib import Path

import django
import pytest
from asgiref.sync import async_to_sync
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import AsyncClient, Client
from pytest_django.fixtures import Settings

import virtualtrip
from tests.factories.rooms import live_engagement, seat
from tests.html import texts
from virtualtrip.logins import lockout_message
from virtualtrip.rooms.access import DEVICE_COOKIE
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
LOCKED = "Too many failed log-ins for this account or from this address. Try again in 15 minutes."


def policy(answer: object) -> dict[str, str]:
    """The Content-Security-Policy header of a response, directive by directive."""
    header = answer["Content-Security-Policy"]  # type: ignore[index]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


# The Content-Security-Policy


@pytest.mark.parametrize("path", ["/", "/es/", "/accounts/login/", "/admin/login/", "/api/docs"])
def test_every_page_forbids_inline_script_and_framing(client: Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert policy(answer) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "inline <style>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def templates() -> list[Path]:
    """Every template the site renders: its apps' and the project's, and Django's admin."""
    roots = [Path(virtualtrip.__file__).parent, Path(django.__file__).parent / "contrib" / "admin"]
    return sorted(path for root in roots for path in root.glob("**/templates/**/*.html"))


# The admin's change list has an inline <style> for a model admin with neither action bar.
ONLY_WITHOUT_ACTION_BARS = "admin/templates/admin/change_list.html: inline <style>"


def test_no_template_has_inline_script_or_style() -> None:
    found = [
        f"{path}: {what}: {match.group(0)}"
        for path in templates()
        for pattern, what in INLINE
        for match in pattern.finditer(path.read_text())
    ]
    assert len(templates()) > 50
    assert [line for line in found if ONLY_WITHOUT_ACTION_BARS not in line] == []
    without_action_bars = [
        str(model_admin)
        for model_admin in admin.site._registry.values()
        if not (model_admin.actions_on_top or model_admin.actions_on_bottom)
    ]
    assert without_action_bars == []


# The device cookie


def test_device_cookie_is_secure_on_an_https_site(settings: Settings) -> None:
    settings.HTTPS = True
    principal = seat(live_engagement(), Role.PRINCIPAL)
    page = Client().get(do_issue_join_link(principal, acting_user=None), secure=True)
    assert page.status_code == 200
    cookie = page.cookies[DEVICE_COOKIE]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")


def test_device_cookie_is_not_secure_on_plain_http(settings: Settings) -> None:
    settings.HTTPS = False
    principal = seat(live_engagement(), Role.PRINCIPAL)
    page = Client().get(do_issue_join_link(principal, acting_user=None))
    assert page.cookies[DEVICE_COOKIE]["secure"] == ""


# Failed logins


@pytest.fixture(autouse=True)
def quick_passwords(settings: Settings) -> None:
    """A fast hasher: these tests try many passwords, and the cost of hashing is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def planner(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("planner", password=PASSWORD, is_staff=True)


@pytest.fixture
def desk(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("desk", password=PASSWORD, is_staff=True)


def log_in(path: str, username: str, password: str, address: str = "203.0.113.7") -> tuple[int, list[str]]:
    """A login attempt from a fresh browser at this address: the status and the form's errors."""
    answer = Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})
    return answer.status_code, errors(answer.content.decode())


def errors(page: str) -> list[str]:
    """The login form's errors, as the site's page (a list) or the admin's (notes) shows them."""
    return [text.strip() for text in texts(page, css_class="errorlist") + texts(page, css_class="errornote")]


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_the_right_password_is_refused_after_five_failures(path: str, planner: User) -> None:
    failures = [log_in(path, "planner", "wrong")[0] for _ in range(4)]
    assert failures == [200] * 4
    assert log_in(path, "planner", "wrong") == (429, [LOCKED])
    assert log_in(path, "planner", PASSWORD) == (429, [LOCKED])


def test_a_locked_account_is_refused_from_another_address(planner: User) -> None:
    for _ in range(5):
        log_in("/accounts/login/", "planner", "wrong", address="203.0.113.7")
    assert log_in("/accounts/login/", "planner", PASSWORD, address="198.51.100.9") == (429, [LOCKED])


def test_another_account_from_a_locked_address_is_refused(planner: User, desk: User) -> None:
    for username in ["planner", "planner", "nobody", "someone", "anyone"]:
        log_in("/accounts/login/", username, "wrong")
    assert log_in("/admin/login/", "desk", PASSWORD) == (429, [LOCKED])
    assert log_in("/admin/login/", "desk", PASSWORD, address="198.51.100.9") == (302, [])


def test_fifty_wrong_passwords_are_not_all_answered(planner: User) -> None:
    statuses = [log_in("/accounts/login/", "planner", f"guess-{n}")[0] for n in range(50)]
    assert (statuses.count(200), statuses.count(429)) == (4, 46)


def test_a_success_before_the_limit_starts_the_count_again(planner: User) -> None:
    for _ in range(4):
        log_in("/accounts/login/", "planner", "wrong")
    assert log_in("/accounts/login/", "planner", PASSWORD) == (302, [])
    assert [log_in("/accounts/login/", "planner", "wrong")[0] for _ in range(4)] == [200] * 4


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        (
            "/es",
            "Demasiados inicios de sesión fallidos para esta cuenta o desde esta dirección. "
            "Vuelva a intentarlo dentro de 15 minutos.",
        ),
        (
            "/fr",
            "Trop d’échecs de connexion pour ce compte ou depuis cette adresse. Réessayez dans 15 minutes.",
        ),
    ],
)
def test_lockout_is_said_in_the_pages_language(planner: User, prefix: str, message: str) -> None:
    for _ in range(5):
        log_in("/accounts/login/", "planner", "wrong")
    assert log_in(f"{prefix}/accounts/login/", "planner", PASSWORD) == (429, [message])


@pytest.mark.django_db(transaction=True)
def test_lockout_under_asgi_shows_the_login_page(planner: User) -> None:
    """`virtualtrip serve` runs the site under ASGI, where Django takes the middleware's async path."""

    async def attempts() -> list[tuple[int, list[str]]]:
        browser = AsyncClient(REMOTE_ADDR="203.0.113.7")
        results = []
        for password in ["wrong"] * 5 + [PASSWORD]:
            answer = await browser.post("/admin/login/", {"username": "planner", "password": password})
            results.append((answer.status_code, errors(answer.content.decode())))
        return results

    assert async_to_sync(attempts)()[-2:] == [(429, [LOCKED]), (429, [LOCKED])]


def test_lockout_message_counts_minutes(settings: Settings) -> None:
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    assert lockout_message().endswith("Try again in 1 minute.")


# The API docs


def test_api_docs_load_swagger_ui_from_the_site(client: Client) -> None:
    page = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert [source for source in sources if not source.startswith("/static/")] == []
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    (settings_block,) = re.findall(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>', page, re.S
    )
    assert json.loads(settings_block)["validatorUrl"] is None  # no badge fetched from validator.swagger.io
