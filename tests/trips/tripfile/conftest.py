"""Every trip-file test runs with libyaml's parser and with PyYAML's own, which must agree."""

import pytest

from virtualtrip.trips.tripfile import source

PARSERS: dict[str, source.Parser | None] = {
    "libyaml": source.LIBYAML_PARSER,
    "python": source.PYTHON_PARSER,
}


@pytest.fixture(params=list(PARSERS), autouse=True)
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The name of the parser `source.load` uses in this test."""
    parser = PARSERS[request.param]
    if parser is None:
        pytest.skip("PyYAML was built without libyaml")
    monkeypatch.setattr(source, "parser", parser)
    name: str = request.param
    return name
