"""What can be wrong with a document someone asks for, said so that they can fix it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class DocumentInputError(Exception):
    """The document as given cannot be saved; each problem names the field it is about."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class EditConflict(Exception):
    """Someone saved the document after this editor opened it: saving would overwrite their work."""


class WorkflowRefused(Exception):
    """The step asked for is not one the document can take, or not one this person may take."""
