"""Benchmark: transcribing a scripted briefing the project rehearses itself, with and without the
names bias.

Run from the repository root:

    .venv/bin/python benchmarks/transcribe.py [--runs 3] [--turns file,tracks]

It makes a fresh SQLite database in a temporary folder, imports the made-up trip of the long
briefing script (`tests/speech/scripts.py`: five voices, 114 seconds, 17 names of people and places
said in full, Polish and Vietnamese ones among them) and rehearses it with espeak-ng and sox
(`virtualtrip.speech.rehearsal`): one mixed file, one file per speaker, and the time of every line.
Then, for each way of knowing the turns (`file`: the lines' times as a turns file; `tracks`: the
per-speaker files, as the product records a room) and with the names bias on and off, it runs the
whole transcription (`pipeline.transcribe`: decoding, the recogniser, the correction pass, the
turns, the paragraphs) `--runs` times and prints:

- real-time factor: the median wall time of a whole transcription over the audio's length;
- word error rate (jiwer) against the script, case and punctuation aside;
- names right: how many of the script's names of people and places said in full are in the
  transcript exactly as the trip writes them, accents included, out of the total;
- turns right: the script's lines whose every word went to the line's speaker, out of the lines.

The model, device, compute type, beam and batch are the settings' (`VIRTUALTRIP_SPEECH_*`), or
`--model`, `--device`, `--compute-type`, `--beam-size`, `--batch-size`.

Then live captions (`benchmarks/caption_latency.py`; `--no-captions` skips them): every speaker's own file
sent at once, in real time, as Opus over RTP to the caption worker's voices, with and without the
names bias: word latency p50 and p95 (from a word's end in the audio to the first caption update
showing it as finally captioned), the most updates any second carried, the cues, their word error
rate and the names right in them. Nothing outside the temporary folder is touched.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--turns", default="file,tracks", help="comma-separated: file, tracks; none: captions only"
    )
    parser.add_argument(
        "--caption-bias", default="on,off", help="comma-separated: on, off (the live captions' runs)"
    )
    parser.add_argument("--model", help="a folder of CTranslate2 files (default: tiny.en, shipped)")
    parser.add_argument("--model-name", default="custom")
    parser.add_argument("--device")
    parser.add_argument("--compute-type")
    parser.add_argument("--beam-size", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument(
        "--no-captions", dest="captions", action="store_false", help="skip the live caption latency"
    )
    parser.add_argument("--show", action="store_true", help="print the biased transcript and its corrections")
    return parser.parse_args()


def configure(folder: Path, options: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = ""
    os.environ["VIRTUALTRIP_DATA_DIR"] = str(folder)
    os.environ["VIRTUALTRIP_RECORDINGS_DIR"] = str(folder / "recordings")
    names = {
        "model": "VIRTUALTRIP_SPEECH_MODEL",
        "model_name": "VIRTUALTRIP_SPEECH_MODEL_NAME",
        "device": "VIRTUALTRIP_SPEECH_DEVICE",
        "compute_type": "VIRTUALTRIP_SPEECH_COMPUTE_TYPE",
        "beam_size": "VIRTUALTRIP_SPEECH_BEAM_SIZE",
        "batch_size": "VIRTUALTRIP_SPEECH_BATCH_SIZE",
    }
    for option, variable in names.items():
        if getattr(options, option) is not None and (option != "model_name" or options.model):
            os.environ[variable] = str(getattr(options, option))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtualtrip.settings")
    import django

    django.setup()


def normalized(text: str) -> str:
    import jiwer

    steps = [jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces()]  # type: ignore[no-untyped-call]
    words = jiwer.Compose(steps)
    return str(words(unicodedata.normalize("NFC", text))).strip()


def plain(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def turns_right(body: dict[str, Any], spans: list[Any], expected: dict[str, str]) -> int:
    """The lines whose every word went to the line's speaker (a word is the line's when its middle
    falls within the line, give or take the pause between lines)."""
    labelled = [((w["start"] + w["end"]) / 2, p["speaker"]) for p in body["paragraphs"] for w in p["words"]]
    right = 0
    for index, span in enumerate(spans):
        before = spans[index - 1].end if index else 0.0
        after = spans[index + 1].start if index + 1 < len(spans) else float("inf")
        low, high = (before + span.start) / 2, (span.end + after) / 2
        labels = {label for middle, label in labelled if low <= middle < high}
        right += labels == {expected[span.speaker]}
    return right


def measure(engagement: Any, source: Any, bias: bool, runs: int) -> tuple[float, dict[str, Any]]:
    from virtualtrip.speech import pipeline

    seconds = []
    body: dict[str, Any] = {}
    for _ in range(runs):
        started = time.perf_counter()
        body = pipeline.transcribe(engagement, source, bias=bias)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), body


def main() -> None:
    options = arguments()
    with tempfile.TemporaryDirectory(prefix="virtualtrip-transcribe-") as scratch:
        folder = Path(scratch)
        configure(folder, options)
        run(folder, options)


def run(folder: Path, options: argparse.Namespace) -> None:
    from django.core.management import call_command

    from tests.conftest import as_yaml
    from tests.speech.recorded import store_recording
    from tests.speech.scripts import LONG, trip_document
    from virtualtrip.speech import engine, exports, pipeline
    from virtualtrip.speech.rehearsal import rehearse, turns_tsv, voices_for
    from virtualtrip.trips.actions import do_import_trip
    from virtualtrip.trips.models import Engagement
    from virtualtrip.trips.tripfile.check import check_trip_file

    call_command("migrate", verbosity=0, interactive=False)
    trip = do_import_trip(check_trip_file(as_yaml(trip_document(LONG))), acting_user=None)
    engagement = Engagement.objects.get(trip=trip, key=LONG.slug)
    speakers = list(dict.fromkeys(line.speaker for line in LONG.lines))
    rehearsal = rehearse(LONG.lines, voices_for(speakers), folder / "rehearsal")
    store_recording(engagement, rehearsal, speakers=True)
    turns_file = folder / "turns.tsv"
    turns_file.write_text(turns_tsv(rehearsal.spans), encoding="utf-8")
    expected = {p.id: p.label for p in LONG.people}
    names = [name for name in LONG.names() if any(name in line.text for line in LONG.lines)]
    reference = normalized(" ".join(line.text for line in LONG.lines))
    info = engine.model_info()
    print(
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; "
        f"model {info.name} on {info.device} ({info.compute_type}), beam {info.beam_size}, "
        f"batch {info.batch_size or 'off'}; audio {rehearsal.duration:.1f} s, {len(speakers)} voices, "
        f"{len(LONG.lines)} lines, {len(names)} names; median of {options.runs} runs"
    )
    engine.load_model(info)  # loaded once, as a worker keeps it: not part of any run's time
    print(f"{'turns':<7} {'bias':<5} {'RTF':>6} {'WER':>6} {'names right':>12} {'turns right':>12}")
    for way in [way for way in options.turns.split(",") if way != "none"]:
        source = (
            pipeline.file_source(engagement, rehearsal.mix, turns_file)
            if way == "file"
            else pipeline.recorded_source(engagement)
        )
        for bias in (True, False):
            seconds, body = measure(engagement, source, bias, options.runs)
            text = plain(exports.as_text(body))
            heard = normalized(" ".join(p["text"] for p in body["paragraphs"]))
            import jiwer

            wer = jiwer.wer(reference, heard)
            right = sum(plain(name) in text for name in names)
            turns = turns_right(body, rehearsal.spans, expected)
            print(
                f"{way:<7} {'on' if bias else 'off':<5} {seconds / rehearsal.duration:>6.3f} {wer:>6.3f} "
                f"{right:>5}/{len(names):<6} {turns:>5}/{len(rehearsal.spans):<6}",
                flush=True,
            )
            if bias and way == options.turns.split(",")[0]:
                missed = [name for name in names if plain(name) not in text]
                print(f"        names missed: {', '.join(missed) or 'none'}")
                if options.show:
                    print(text)
                    for fix in body["corrections"]:
                        print(f"        {fix['heard']!r} -> {fix['written']!r} ({fix['score']})")
    if options.captions:
        biases = [bias == "on" for bias in options.caption_bias.split(",")]
        live_captions(engagement, rehearsal, names, reference, options.show, biases)


def live_captions(
    engagement: Any, rehearsal: Any, names: list[str], reference: str, show: bool, biases: list[bool]
) -> None:
    """Caption latency, with and without the names bias (benchmarks/caption_latency.py)."""
    import jiwer
    from caption_latency import measure  # beside this file

    from virtualtrip.rooms.actions import do_open_room
    from virtualtrip.speech import engine
    from virtualtrip.speech.captions.reading import window_reader
    from virtualtrip.speech.captions.worker import RoomCaptions
    from virtualtrip.speech.speakers import speakers_for
    from virtualtrip.speech.vocabulary import vocabulary_for

    room = do_open_room(engagement)
    labels = {key: speaker.label for key, speaker in speakers_for(engagement).items()}
    tracks = {n: (labels[key], path) for n, (key, path) in enumerate(rehearsal.tracks.items(), start=1)}
    print(f"live captions: {len(tracks)} voices at once, in real time ({rehearsal.duration:.0f} s)")
    print(f"{'bias':<5} {'p50':>6} {'p95':>6} {'updates/s':>10} {'cues':>5} {'WER':>6} {'names right':>12}")
    for bias in biases:
        read = window_reader(vocabulary_for(engagement) if bias else None, engine.model_info())
        figures = measure(RoomCaptions(room, read), tracks, rehearsal.duration)
        right = sum(plain(name) in plain(figures.text) for name in names)
        wer = jiwer.wer(reference, normalized(figures.text))
        print(
            f"{'on' if bias else 'off':<5} {figures.p50:>5.2f}s {figures.p95:>5.2f}s "
            f"{figures.most_per_second:>10} {figures.cues:>5} {wer:>6.3f} {right:>5}/{len(names):<6}",
            flush=True,
        )
        if show:
            print(figures.text)


if __name__ == "__main__":
    main()
