"""`virtualtrip document add` and `document advance`, as a press office runs them."""

import textwrap
from pathlib import Path

import pytest

from tests.conftest import trip_document

GOOD = """\
---
kind: readout
title: Readout of the Minister's meeting with the Foreign Secretary
date: 2021-02-26
language: en
destination: MX
engagement: mx-meeting
---
The two discussed **migration** and <script>alert(1)</script>.
"""


@pytest.fixture
def office(run, write_trip, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A trip, and one user at each desk of the press office."""
    assert run("import-trip", str(write_trip(trip_document()))).returncode == 0
    for desk, group in [("ed", "Editors"), ("cl", "Clearers"), ("pub", "Publishers")]:
        script = (
            "from django.contrib.auth.models import Group, User; "
            f"User.objects.create_user('{desk}').groups.add(Group.objects.get(name='{group}'))"
        )
        assert run("shell", "-c", script).returncode == 0

    def write(text: str, name: str = "doc.md") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return str(path)

    return write


def test_add_prints_the_id_and_advance_follows_the_web_rules(run, office) -> None:  # type: ignore[no-untyped-def]
    added = run("document", "add", "test-trip", office(GOOD), "--as", "ed")
    assert (added.returncode, added.stdout, added.stderr) == (0, "1\n", "")
    skipped = run("document", "advance", "1", "--to", "published", "--as", "pub")
    assert skipped.returncode == 1
    assert "only a cleared document can be published" in skipped.stderr
    refused = run("document", "advance", "1", "--to", "in_clearance", "--as", "cl")
    assert "cl may not edit documents and send them to clearance" in refused.stderr
    steps = [("in_clearance", "ed"), ("cleared", "cl"), ("published", "pub")]
    printed = [run("document", "advance", "1", "--to", to, "--as", who).stdout for to, who in steps]
    assert printed == [
        "document 1: draft → in_clearance\n",
        "document 1: in_clearance → cleared\n",
        "document 1: cleared → published\n",
    ]


def test_bad_front_matter_names_each_line_and_creates_nothing(run, office) -> None:  # type: ignore[no-untyped-def]
    path = office(
        """\
        ---
        kind: memo
        title: A note
        date: 26 February
        language: de
        engagement: mx-meeting
        destination: CA
        embargo: 2020-01-01T09:00-05:00
        colour: blue
        ---
        Text.
        """
    )
    answer = run("document", "add", "test-trip", path)
    assert answer.returncode == 2
    assert answer.stderr.splitlines() == [
        f"{path}:4: date: '26 February' is not a date such as 2021-02-26",
        f"{path}:9: unknown key 'colour': expected one of kind, title, date, language, destination, "
        "engagement, embargo, translation_of, question",
        f"{path}: 2 problem(s); no document was created",
    ]
    path = office(
        GOOD.replace("date: 2021-02-26", "date: 2021-02-26\nembargo: 2020-01-01T09:00-05:00")
        .replace("kind: readout", "kind: memo")
        .replace("language: en", "language: de")
        .replace("destination: MX", "destination: CA")
    )
    answer = run("document", "add", "test-trip", path)
    assert answer.stderr.splitlines() == [
        f"{path}:2: kind: unknown kind 'memo': expected one of public_schedule, readout, remarks, "
        "transcript, fact_sheet, media_note, press_statement, taken_question_answer",
        f"{path}:5: embargo: 2020-01-01T09:00:00-05:00 has passed: an embargo must be a time still to come",
        f"{path}:6: language: unknown language 'de': expected one of en, es, fr",
        f"{path}:7: destination: trip 'test-trip' does not visit 'CA'",
        f"{path}: 4 problem(s); no document was created",
    ]
    count = "from virtualtrip.publishing.models import Document; print(Document.objects.count())"
    listed = run("shell", "--no-imports", "-c", count)
    assert listed.stdout == "0\n"


def test_a_file_without_front_matter_is_refused(run, office) -> None:  # type: ignore[no-untyped-def]
    answer = run("document", "add", "test-trip", office("# Just a heading\n"))
    assert answer.returncode == 2
    assert ":1: a document file starts with a '---' line" in answer.stderr


def test_withdraw_takes_an_edited_live_document_down_at_once(run, office) -> None:  # type: ignore[no-untyped-def]
    run("document", "add", "test-trip", office(GOOD), "--as", "ed")
    for to, who in [("in_clearance", "ed"), ("cleared", "cl"), ("published", "pub")]:
        run("document", "advance", "1", "--to", to, "--as", who)
    edit = (
        "from virtualtrip.publishing import actions; from virtualtrip.publishing.models import Document; "
        "d = Document.objects.get(pk=1); "
        "t = actions.DocumentText(title=d.title, date=d.date, body='Edited.'); "
        "actions.do_edit_document(d, t, base_revision=1, acting_user=None)"
    )
    assert run("shell", "--no-imports", "-c", edit).returncode == 0
    refused = run("document", "withdraw", "1", "--as", "ed")
    assert (refused.returncode, refused.stderr) == (
        1,
        "CommandError: ed may not publish documents (the Publishers group).\n",
    )
    withdrawn = run("document", "withdraw", "1", "--as", "pub", "--note", "wrong figures")
    assert (withdrawn.returncode, withdrawn.stdout) == (
        0,
        "document 1 withdrawn: the public no longer sees it\n",
    )
    live = "from virtualtrip.publishing.models import Document; print(Document.objects.get(pk=1).live)"
    assert run("shell", "--no-imports", "-c", live).stdout == "False\n"


def test_a_document_embargoed_until_year_9999_is_refused_on_its_line() -> None:
    from virtualtrip.publishing.frontmatter import DocumentFileError, read_document_file

    text = (
        "---\ntitle: Readout\nkind: readout\nlanguage: en\ndate: 2021-02-26\n"
        "embargo: 9999-12-31T23:59-05:00\n---\nText.\n"
    )
    with pytest.raises(DocumentFileError) as refused:
        read_document_file(text.encode())
    assert [problem.render("readout.md") for problem in refused.value.problems] == [
        "readout.md:6: embargo: 9999-12-31 is outside the years a trip may take (1900–2199)"
    ]
