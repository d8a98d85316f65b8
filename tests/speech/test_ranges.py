"""The Range header, as the audio player sends it."""

import pytest

from virtualtrip.speech.ranges import ByteRange, Unsatisfiable, requested_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=0-", ByteRange(0, 999)),
        ("bytes=990-", ByteRange(990, 999)),
        ("bytes=500-5000", ByteRange(500, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-5000", ByteRange(0, 999)),
        ("BYTES= 7-7", ByteRange(7, 7)),
        (None, None),
        ("", None),
        ("bytes=", None),
        ("bytes=-", None),
        ("bytes=0-9,20-29", None),
        ("items=0-9", None),
        ("bytes=9-3", None),
        ("bytes=a-b", None),
    ],
)
def test_the_range_asked_for_or_none_for_the_whole_file(
    header: str | None, expected: ByteRange | None
) -> None:
    assert requested_range(header, 1000) == expected


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=1000-", 1000), ("bytes=2000-3000", 1000), ("bytes=-0", 1000), ("bytes=-1", 0)],
)
def test_a_range_with_none_of_the_files_bytes_is_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable):
        requested_range(header, size)


def test_a_range_counts_its_bytes_inclusively() -> None:
    assert ByteRange(10, 19).length == 10
