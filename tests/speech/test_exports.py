"""The exports of a stored transcript: house-style text, WebVTT that parses with voice tags, JSON."""

import io
import json

import webvtt

from virtualtrip.speech.exports import as_json, as_text, as_vtt

BODY = {
    "format": "virtualtrip-transcript/1",
    "paragraphs": [
        {
            "start": 0.0,
            "end": 4.0,
            "speaker": "MODERATOR",
            "person": "jean",
            "text": "Good morning. <b>Welcome</b> & thanks.",
        },
        {
            "start": 4.5,
            "end": 30.0,
            "speaker": "A SENIOR OFFICIAL",
            "person": None,
            "text": " ".join(["Word"] * 60) + ".",
        },
        {"start": 31.0, "end": 32.0, "speaker": "QUESTION", "person": "ana", "text": "   "},
    ],
}


def test_the_house_style_is_a_label_in_capitals_then_the_turn() -> None:
    assert as_text(BODY) == (
        "MODERATOR: Good morning. <b>Welcome</b> & thanks.\n\nA SENIOR OFFICIAL: "
        + " ".join(["Word"] * 60)
        + ".\n"
    )


def test_webvtt_parses_with_a_voice_per_cue_and_cues_of_two_lines_at_most() -> None:
    captions = webvtt.from_buffer(io.StringIO(as_vtt(BODY))).captions
    assert {c.voice for c in captions} == {"MODERATOR", "A SENIOR OFFICIAL"}
    assert all(len(c.text) <= 84 for c in captions)
    assert captions[0].start == "00:00:00.000"
    assert "&lt;b&gt;Welcome&lt;/b&gt; &amp; thanks." in as_vtt(BODY)
    long_cues = [c for c in captions if c.voice == "A SENIOR OFFICIAL"]
    assert len(long_cues) >= 3
    assert long_cues[-1].end == "00:00:30.000"


def test_json_is_the_stored_form_itself() -> None:
    assert json.loads(as_json(BODY)) == BODY


def test_an_empty_transcript_exports_as_empty() -> None:
    empty: dict[str, list[object]] = {"paragraphs": []}
    assert as_text(empty) == ""
    assert webvtt.from_buffer(io.StringIO(as_vtt(empty))).captions == []
