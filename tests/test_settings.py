"""Settings come from the environment; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from virtualtrip.settings import env_bool, env_list


def virtualtrip(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "virtualtrip.cli", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": "q" * 20 + "an-unguessable-production-secret-0123456789",
        "ALLOWED_HOSTS": "trips.example.org",
        "VIRTUALTRIP_HTTPS": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "VIRTUALTRIP_DATA_DIR": str(tmp_path),
    }
    result = virtualtrip("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    ), result.stderr


def test_deploy_check_flags_development_defaults(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "VIRTUALTRIP_DATA_DIR": str(tmp_path)}
    result = virtualtrip("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "security.W009" in result.stderr  # the development SECRET_KEY
    assert "security.W008" in result.stderr  # no HTTPS redirect


def test_env_bool_refuses_what_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='perhaps': expected true or false"):
        env_bool("DEBUG", False)
    monkeypatch.setenv("DEBUG", "TRUE")
    assert env_bool("DEBUG", False) is True


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_caption_ports_that_are_no_numbers_stop_the_caption_worker_not_the_site(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "VIRTUALTRIP_DATA_DIR": str(tmp_path),
        "VIRTUALTRIP_CAPTION_PORTS": "low-high",
    }
    assert virtualtrip("check", env=env, cwd=tmp_path).returncode == 0
    worker = virtualtrip("caption-worker", env=env, cwd=tmp_path)
    assert worker.returncode != 0
    assert "VIRTUALTRIP_CAPTION_PORTS" in worker.stderr
