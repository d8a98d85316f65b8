"""The `virtualtrip` command line as a planner uses it: a real process, real exit codes."""

import json
from pathlib import Path

from tests.conftest import as_yaml, trip_document


def test_import_prints_the_slug_and_export_gives_it_back(run, write_trip) -> None:  # type: ignore[no-untyped-def]
    path = write_trip(trip_document())
    imported = run("import-trip", str(path))
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "test-trip\n", "")
    exported = run("export-trip", "test-trip")
    again = write_trip(exported.stdout, "again.yaml")
    replaced = run("import-trip", "--replace", str(again))
    assert (replaced.returncode, replaced.stdout) == (0, "test-trip\n")
    assert run("export-trip", "test-trip").stdout == exported.stdout


def test_bad_file_exits_2_lists_every_problem_and_writes_nothing(run, write_trip) -> None:  # type: ignore[no-untyped-def]
    document = trip_document()
    document["destinations"][0]["engagements"][0]["coverage"] = "closed"
    document["people"][0]["country"] = "ZZ"
    path = write_trip(document)
    result = run("import-trip", str(path))
    assert result.returncode == 2
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()] == [
        "unknown country 'ZZ': use an ISO 3166-1 alpha-2 code such as MX",
        "unknown coverage 'closed' (did you mean 'closed_press'?): use one of 'open_press', 'pool_spray' or "
        "'closed_press'",
        "2 problem(s); nothing was imported",
    ]
    assert all(line.startswith(f"{path}:") for line in result.stderr.splitlines())
    assert run("export-trip", "test-trip").returncode == 2


def test_warnings_are_printed_and_the_import_goes_ahead(run, write_trip) -> None:  # type: ignore[no-untyped-def]
    document = trip_document()
    meeting = document["destinations"][0]["engagements"][0]
    meeting["starts"], meeting["ends"] = "2021-02-26T21:30", "2021-02-26T22:00"
    result = run("import-trip", str(write_trip(document)))
    assert (result.returncode, result.stdout) == (0, "test-trip\n")
    assert "warning: engagement 'mx-meeting' runs 21:30–22:00 in America/Mexico_City" in result.stderr


def test_missing_file_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("import-trip", str(tmp_path / "nope.yaml"))
    assert (result.returncode, result.stderr.strip()) == (
        2,
        f"{tmp_path / 'nope.yaml'}: cannot read: No such file or directory",
    )


def test_trip_schema_is_json_schema_of_the_format(run) -> None:  # type: ignore[no-untyped-def]
    schema = json.loads(run("trip-schema").stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["format", "trip"]
    assert schema["$defs"]["EngagementSpec"]["properties"]["coverage"]["$ref"] == "#/$defs/Coverage"
    assert schema["$defs"]["Coverage"]["enum"] == ["open_press", "pool_spray", "closed_press"]
    assert schema["$defs"]["EngagementSpec"]["additionalProperties"] is False
    assert schema["$defs"]["TripSpec"]["properties"]["summary"]["maxLength"] == 4000
    assert schema["$defs"]["PersonSpec"]["properties"]["name"]["maxLength"] == 200


def test_demo_file_validates_against_the_published_schema(run) -> None:  # type: ignore[no-untyped-def]
    import jsonschema  # type: ignore[import-untyped]
    import yaml

    from virtualtrip.trips.management.commands.load_demo import DEMO_TRIP

    schema = json.loads(run("trip-schema").stdout)
    jsonschema.validate(yaml.safe_load(as_yaml(yaml.safe_load(DEMO_TRIP.read_text()))), schema)


def test_files_that_once_crashed_the_import_exit_2_with_their_line(run, write_trip) -> None:  # type: ignore[no-untyped-def]
    text = as_yaml(trip_document()).decode()
    files = {
        "nested.yaml": text.replace("  title: Test trip", "  title: " + "[" * 400),
        "nul.yaml": text.replace("  title: Test trip", '  title: "Test\\0trip"'),
        "long.yaml": text.replace("A short trip for tests.", "x" * 60_000),
    }
    problems = {
        "nested.yaml": "4: nested more than 12 levels deep: a trip file needs at most 7",
        "nul.yaml": "4: title contains the NUL character (U+0000), which cannot be stored: remove it",
        "long.yaml": "9: summary is 60,000 characters long; it may be at most 4,000",
    }
    paths = {name: write_trip(content, name) for name, content in files.items()}
    results = {name: run("import-trip", str(path)) for name, path in paths.items()}
    assert {name: (result.returncode, result.stderr.splitlines()) for name, result in results.items()} == {
        name: (2, [f"{paths[name]}:{problem}", f"{paths[name]}: 1 problem(s); nothing was imported"])
        for name, problem in problems.items()
    }
    assert run("export-trip", "test-trip").returncode == 2
