import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from virtualtrip.speech import actions, exports, pipeline
from virtualtrip.speech.audio import file_problem
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.queries import find_engagement

TURNS_FILE_MAX_BYTES = 1_000_000
"""A turns file is a line a turn: a day of briefings is a few thousand lines, some 100 kB."""


def _check_turns_file(path: Path) -> None:
    """Refused before it is read: a pipe would be waited on for ever, a huge file read whole."""
    problem = file_problem(path, "a turns file")
    if problem is not None:
        raise CommandError(problem)
    size = path.stat().st_size
    if size > TURNS_FILE_MAX_BYTES:
        raise CommandError(
            f"{path} is {size / 1_000_000:.1f} MB: a turns file has at most "
            f"{TURNS_FILE_MAX_BYTES // 1_000_000} MB (a line a turn)"
        )


class Command(BaseCommand):
    help = (
        "Transcribe an engagement: TRIP ENGAGEMENT [AUDIO]. Without AUDIO, the room's own recording. "
        "The transcript goes to stdout, a progress bar to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("trip", help="the trip's id (its slug)")
        parser.add_argument("engagement", help="the engagement's id in the trip file")
        parser.add_argument("audio", nargs="?", type=Path, help="an audio file made outside the product")
        parser.add_argument(
            "--turns", type=Path, help="who spoke when: a TSV of start_seconds, end_seconds, person_id"
        )
        parser.add_argument(
            "--language",
            default="en",
            help="the transcript's language (ISO 639-1); in an interpreted room, what its listeners heard",
        )
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="text")
        parser.add_argument(
            "--no-names-bias", action="store_true", help="do not tell the recogniser who is in the room"
        )
        parser.add_argument(
            "--save", action="store_true", help="also keep it as the engagement's draft transcript"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engagement = find_engagement(options["trip"], options["engagement"])
        if engagement is None:
            raise CommandError(f"no engagement '{options['engagement']}' in trip '{options['trip']}'")
        if options["audio"] is not None:
            problem = file_problem(options["audio"], "an audio file")
            if problem is not None:
                raise CommandError(problem)
        if options["turns"] is not None:
            _check_turns_file(options["turns"])
        bar = tqdm(total=0, unit="s", desc="transcribing", file=sys.stderr, disable=options["verbosity"] == 0)

        def progress(done: float, total: float) -> None:
            bar.total = round(total, 1)
            bar.n = round(done, 1)
            bar.refresh()

        try:
            source = (
                pipeline.file_source(engagement, options["audio"], options["turns"])
                if options["audio"]
                else pipeline.recorded_source(engagement, options["language"])
            )
            if options["turns"] and not options["audio"]:
                source = pipeline.file_source(engagement, source.audio, options["turns"])
            body = pipeline.transcribe(
                engagement, source, bias=not options["no_names_bias"], progress=progress
            )
        except SpeechProblem as problem:
            raise CommandError(str(problem)) from None
        finally:
            bar.close()
        if options["save"]:
            actions.do_store_transcript(engagement, body, language=options["language"])
        self.stdout.write(exports.FORMATS[options["format"]](body), ending="")
