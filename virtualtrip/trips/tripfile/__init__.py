"""The trip file, format `virtualtrip/1`: reading, checking and writing it (docs/trip-format.md)."""

FORMAT = "virtualtrip/1"
