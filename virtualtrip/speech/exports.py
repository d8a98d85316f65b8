"""A transcript in the forms it leaves the product in: house-style text, WebVTT and JSON.

All three are made from the stored transcript (`virtualtrip-transcript/1`, see docs/speech.md), as an
editor left it: the paragraphs' text, their speakers and their times. On background the speaker is the
attribution in all three and no paragraph carries the briefer's id."""

import io
import json
import re
from collections.abc import Iterable
from typing import Any

import webvtt

CUE_SECONDS = 7.0
CUE_CHARACTERS = 84
"""Two lines of 42: what a caption shows at once."""
_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def as_text(transcript: dict[str, Any]) -> str:
    """The house style: each turn a paragraph, opened by its speaker's label in capitals."""
    paragraphs = [
        f"{p['speaker']}: {p['text'].strip()}" for p in transcript["paragraphs"] if p["text"].strip()
    ]
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


def as_json(transcript: dict[str, Any]) -> str:
    return json.dumps(transcript, ensure_ascii=False, indent=2) + "\n"


def _clock(seconds: float) -> str:
    millis = round(max(seconds, 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pieces(text: str) -> list[str]:
    """The paragraph cut into cues: sentences, and sentences too long for one cue at word breaks."""
    pieces: list[str] = []
    for sentence in _SENTENCE.split(text.strip()):
        line = ""
        for word in sentence.split():
            if line and len(line) + 1 + len(word) > CUE_CHARACTERS:
                pieces.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            pieces.append(line)
    return pieces


def _cues(paragraph: dict[str, Any]) -> list[tuple[float, float, str]]:
    """The paragraph's cues, each timed by its share of the paragraph's characters (an editor's text
    need not match the recogniser's words, the paragraph's times do)."""
    pieces = _pieces(paragraph["text"])
    total = sum(len(p) for p in pieces) or 1
    start, length = float(paragraph["start"]), float(paragraph["end"]) - float(paragraph["start"])
    cues: list[tuple[float, float, str]] = []
    done = 0
    for piece in pieces:
        begin = start + length * done / total
        done += len(piece)
        end = start + length * done / total
        cues.append((begin, max(end, begin + 0.001), piece))
    return cues


def vtt_of(cues: Iterable[tuple[float, float, str, str]]) -> str:
    """WebVTT of (start, end, speaker, text) cues, each with its speaker's voice tag: `<v MODERATOR>`."""
    captions = webvtt.WebVTT()
    for begin, end, speaker, text in cues:
        captions.captions.append(
            webvtt.Caption(_clock(begin), _clock(end), f"<v {_escaped(speaker)}>{_escaped(text)}")
        )
    out = io.StringIO()
    captions.write(out)
    written = out.getvalue()
    return written if written.startswith("WEBVTT") else "WEBVTT\n\n" + written


def as_vtt(transcript: dict[str, Any]) -> str:
    """WebVTT with a voice tag per cue: `<v MODERATOR>`."""
    return vtt_of(
        (begin, end, paragraph["speaker"], text)
        for paragraph in transcript["paragraphs"]
        for begin, end, text in _cues(paragraph)
    )


FORMATS = {"text": as_text, "vtt": as_vtt, "json": as_json}
