"""The whole transcription on rehearsed audio: tiny.en, the names bias, the turns, the house style."""

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.speech.conftest import import_script_trip
from tests.speech.scripts import BACKGROUND, LONG, SHORT, Script
from virtualtrip.speech import exports, pipeline
from virtualtrip.speech.rehearsal import Rehearsal, turns_tsv

pytestmark = pytest.mark.django_db

_made: dict[tuple[str, bool], dict[str, Any]] = {}


def transcribed(script: Script, rehearsal: Rehearsal, tmp_path: Path, *, bias: bool = True) -> dict[str, Any]:
    """The script's transcript, with the turns of its rehearsal as a turns file (made once a session:
    the database is new in each test, the transcript is not)."""
    engagement = import_script_trip(script, **script_rules(script))
    if (script.slug, bias) not in _made:
        turns = tmp_path / "turns.tsv"
        turns.write_text(turns_tsv(rehearsal.spans), encoding="utf-8")
        source = pipeline.file_source(engagement, rehearsal.mix, turns)
        _made[(script.slug, bias)] = pipeline.transcribe(engagement, source, bias=bias)
    return _made[(script.slug, bias)]


def script_rules(script: Script) -> dict[str, Any]:
    return (
        {"ground_rules": {"rule": "background", "attribution": script.attribution}}
        if script.attribution
        else {}
    )


def plain(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def expected_labels(script: Script) -> list[str]:
    """The label of each line's speaker, consecutive lines of one speaker being one turn."""
    by_id = {person.id: person for person in script.people}
    labels: list[str] = []
    for line in script.lines:
        person = by_id[line.speaker]
        label = script.attribution if script.attribution and person.role == "briefer" else person.label
        if not labels or labels[-1] != label:
            labels.append(label)
    return labels


def test_every_turn_goes_to_its_speaker_with_the_labels_of_the_trip(rehearsed, tmp_path: Path) -> None:
    body = transcribed(LONG, rehearsed(LONG), tmp_path)
    assert [p["speaker"] for p in body["paragraphs"]] == expected_labels(LONG)
    assert body["turns_from"] == "file"
    assert body["model"]["name"] == "tiny.en"
    assert body["names_bias"] is True


def test_the_names_of_the_trip_are_written_as_the_trip_writes_them(rehearsed, tmp_path: Path) -> None:
    """tiny.en on espeak-ng's English voices reading Polish and Vietnamese names: the benchmark
    (benchmarks/transcribe.py) measures how many; here, that most are right, accents and all."""
    body = transcribed(LONG, rehearsed(LONG), tmp_path)
    right = names_right(LONG, body)
    assert len(right) >= 11, right
    assert {"Ciudad Juárez", "Hải Phòng", "Wojciech Kędzierski"} <= set(right)
    evidence = {c["written"]: c for c in body["corrections"]}
    assert all(c["heard"] != c["written"] and c["score"] >= 78 for c in evidence.values())


def test_the_house_style_opens_each_paragraph_with_its_label(rehearsed, tmp_path: Path) -> None:
    text = exports.as_text(transcribed(SHORT, rehearsed(SHORT), tmp_path))
    paragraphs = text.strip().split("\n\n")
    assert [p.split(":", 1)[0] for p in paragraphs] == [
        "MODERATOR",
        "ENVOY BRANDT",
        "MODERATOR",
        "QUESTION",
        "ENVOY BRANDT",
    ]
    assert all(re.match(r"^[A-Z][A-Z .'-]+: \S", p) for p in paragraphs)


def test_on_background_the_briefer_is_the_attribution_everywhere(rehearsed, tmp_path: Path) -> None:
    body = transcribed(BACKGROUND, rehearsed(BACKGROUND), tmp_path)
    briefer = next(p for p in BACKGROUND.people if p.role == "briefer")
    assert BACKGROUND.attribution in [p["speaker"] for p in body["paragraphs"]]
    for made in (exports.as_text(body), exports.as_vtt(body), exports.as_json(body)):
        assert briefer.name not in made
        assert briefer.id not in made
        assert briefer.label not in made


def names_right(script: Script, body: dict[str, Any]) -> list[str]:
    text = plain(exports.as_text(body))
    spoken = [name for name in script.names() if any(name in line.text for line in script.lines)]
    return [name for name in spoken if plain(name) in text]


def test_the_names_bias_gets_more_names_right_than_the_recogniser_alone(rehearsed, tmp_path: Path) -> None:
    biased = names_right(LONG, transcribed(LONG, rehearsed(LONG), tmp_path))
    alone = names_right(LONG, transcribed(LONG, rehearsed(LONG), tmp_path, bias=False))
    assert len(biased) >= len(alone) + 5
    assert transcribed(LONG, rehearsed(LONG), tmp_path, bias=False)["corrections"] == []
