"""The audio of a transcript in one language of an interpreted meeting.

A room with interpretation channels has one transcript per language, all on the floor's clock and
cut into the floor's turns, so that each paragraph is the same turn, by the same speaker, in every
language. The audio for language L is what a listener of L heard of each turn: the floor's own voice
where its speaker spoke L (their per-speaker recording), the L channel's interpreter elsewhere. The
interpreter speaks a little behind the floor (the ear-voice span): the channel is moved back by the
lag measured between the floor's speech and the channel's, so its words land in the turn they
interpret.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings

from virtualtrip.publishing.enums import Language
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.speech.audio import SAMPLE_RATE, Samples, check_length, decode
from virtualtrip.speech.turns import FRAME_S, SILENCE_DB, levels_of
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.queries import engagement_languages

MAX_LAG_S = 8.0
"""Interpreters keep two to four seconds behind; a lag past this is not one."""


@dataclass(frozen=True)
class LanguageAudio:
    samples: Samples
    floor: list[RecordingTrack]
    """The floor's own voices kept: the speakers who spoke the language."""
    channel: RecordingTrack | None
    lag_seconds: float


def spoken_language(engagement: Engagement, track: RecordingTrack) -> str:
    """The language a floor voice speaks: its person's first language, or else the engagement's
    first (a staff voice, a person the trip gives no language)."""
    person_languages = track.person.languages if track.person is not None else []
    if person_languages:
        return str(person_languages[0])
    languages = engagement_languages(engagement)
    return languages[0] if languages else "en"


def floor_voices(tracks: list[RecordingTrack]) -> list[RecordingTrack]:
    return [t for t in tracks if t.speaker and not t.language]


def transcript_languages(engagement: Engagement, tracks: list[RecordingTrack]) -> list[str]:
    """The languages the room's transcripts are made in: every channel's and every floor voice's
    that the trip page publishes in (a transcript in another could be neither edited nor
    published; none at all where nothing heard is one), the engagement's own order first. A room
    without channels has its one transcript, in English."""
    channels = {t.language for t in tracks if t.language and not t.speaker}
    if not channels:
        return ["en"]
    spoken = {spoken_language(engagement, t) for t in floor_voices(tracks)}
    found = (channels | spoken) & set(Language.values)
    order = [code for code in engagement_languages(engagement) if code in found]
    return order + sorted(found - set(order))


def _activity(track: RecordingTrack) -> np.ndarray:
    return np.asarray(levels_of(settings.RECORDINGS_DIR / track.file) > SILENCE_DB, dtype=np.float32)


def _offset_frames(track: RecordingTrack, starts_at: datetime) -> int:
    return round((track.starts_at - starts_at).total_seconds() / FRAME_S)


def measured_lag(sources: list[RecordingTrack], channel: RecordingTrack, starts_at: datetime) -> float:
    """How far behind the floor voices it interprets the channel speaks: the shift, up to
    `MAX_LAG_S`, at which the channel's speech best overlaps theirs; the setting's when nothing
    overlaps (a channel never live, or a floor never heard)."""
    default = float(settings.SPEECH_INTERPRETATION_LAG_S)
    heard = _activity(channel)
    if not sources or not heard.any():
        return default
    floor = np.zeros(len(heard), dtype=np.float32)
    for track in sources:
        start = _offset_frames(track, starts_at)
        activity = _activity(track)[: max(0, len(floor) - start)]
        floor[start : start + len(activity)] = np.maximum(floor[start : start + len(activity)], activity)
    lags = range(round(MAX_LAG_S / FRAME_S) + 1)
    overlap = [float(np.dot(floor[: len(floor) - lag], heard[lag:])) for lag in lags if lag < len(floor)]
    best = int(np.argmax(overlap)) if overlap else 0
    return best * FRAME_S if overlap and overlap[best] > 0 else default


def _place(into: Samples, samples: Samples, at_seconds: float) -> Samples:
    """`samples` added into `into` from `at_seconds` (negative: its start is cut), in place; grown
    only where a file decodes longer than the record says."""
    start = round(at_seconds * SAMPLE_RATE)
    if start < 0:
        samples, start = samples[-start:], 0
    end = start + len(samples)
    if end > len(into):
        into = np.concatenate([into, np.zeros(end - len(into), dtype=np.float32)])
    into[start:end] += samples
    return into


def language_audio(
    engagement: Engagement, language: str, tracks: list[RecordingTrack], starts_at: datetime
) -> LanguageAudio | None:
    """The audio of the `language` transcript on the floor's clock, from `starts_at`; None when
    nobody spoke it and no channel carried it. Refused, before anything is decoded, when it would
    last longer than one transcript takes."""
    voices = floor_voices(tracks)
    own = [t for t in voices if spoken_language(engagement, t) == language]
    channel = next((t for t in tracks if t.language == language and not t.speaker), None)
    if not own and channel is None:
        return None
    placed = [(track, (track.starts_at - starts_at).total_seconds()) for track in own]
    lag = 0.0
    if channel is not None:
        lag = measured_lag([t for t in voices if t not in own], channel, starts_at)
        placed.append((channel, (channel.starts_at - starts_at).total_seconds() - lag))
    seconds = max(max(0.0, at + track.duration_seconds) for track, at in placed)  # a cut start ends early
    check_length(seconds, f"the {language} audio of {engagement.trip.slug}/{engagement.key}")
    samples = np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)
    for track, at in placed:
        samples = _place(samples, decode(settings.RECORDINGS_DIR / track.file), at)
    np.clip(samples, -1.0, 1.0, out=samples)
    return LanguageAudio(samples, own, channel, lag)
