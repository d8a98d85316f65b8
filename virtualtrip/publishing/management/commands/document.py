import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from virtualtrip.publishing import actions
from virtualtrip.publishing.enums import Clearance
from virtualtrip.publishing.frontmatter import DocumentFileError, read_document_file
from virtualtrip.publishing.models import Document
from virtualtrip.publishing.problems import DocumentInputError, WorkflowRefused
from virtualtrip.trips.models import Trip

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Create documents from Markdown files and move them through clearance."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="create a draft from a Markdown file and print its id")
        add.add_argument("trip", help="the trip's slug")
        add.add_argument("path", help="the Markdown file, with YAML front matter")
        add.add_argument("--as", dest="username", help="the author to record (default: none)")
        advance = verbs.add_parser("advance", help="move a document one step through clearance")
        advance.add_argument("id", type=int)
        advance.add_argument("--to", required=True, choices=Clearance.values)
        advance.add_argument("--as", dest="username", required=True, help="the user taking the step")
        advance.add_argument("--note", default="", help="a note kept with the step")
        withdraw = verbs.add_parser("withdraw", help="take a live document off the public site at once")
        withdraw.add_argument("id", type=int)
        withdraw.add_argument("--as", dest="username", required=True, help="the publisher withdrawing it")
        withdraw.add_argument("--note", default="", help="a note kept with the step")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        if verb == "add":
            self._add(options["trip"], options["path"], options["username"])
        elif verb == "withdraw":
            self._withdraw(options["id"], options["username"], options["note"])
        else:
            self._advance(options["id"], options["to"], options["username"], options["note"])

    def _user(self, username: str | None) -> Any:
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user called {username!r}")
        return user

    def _add(self, slug: str, path: str, username: str | None) -> None:
        trip = Trip.objects.filter(slug=slug).first()
        if trip is None:
            raise CommandError(f"no trip called {slug!r}")
        user = self._user(username)
        try:
            document_file = read_document_file(Path(path).read_bytes())
            try:
                checked = actions.check_create_document(
                    trip, document_file.place, document_file.text, acting_user=user
                )
            except DocumentInputError as error:
                raise document_file.problems_of(error) from None
        except OSError as error:
            self.stderr.write(f"{path}: cannot read: {error.strerror}")
            sys.exit(EXIT_INVALID)
        except DocumentFileError as invalid:
            for problem in invalid.problems:
                self.stderr.write(problem.render(path))
            self.stderr.write(f"{path}: {len(invalid.problems)} problem(s); no document was created")
            sys.exit(EXIT_INVALID)
        except WorkflowRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(str(actions.do_create_document(checked, acting_user=user).pk))

    def _advance(self, pk: int, to: str, username: str, note: str) -> None:
        document = Document.objects.filter(pk=pk).first()
        if document is None:
            raise CommandError(f"no document {pk}")
        try:
            step = actions.do_advance_document(document, to, acting_user=self._user(username), note=note)
        except WorkflowRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"document {pk}: {step.from_state} → {step.to_state}")

    def _withdraw(self, pk: int, username: str, note: str) -> None:
        document = Document.objects.filter(pk=pk).first()
        if document is None:
            raise CommandError(f"no document {pk}")
        try:
            actions.do_withdraw_document(document, acting_user=self._user(username), note=note)
        except WorkflowRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"document {pk} withdrawn: the public no longer sees it")
