"""The settings of the worker processes the worker tests start: the project's, with a heartbeat every
second, so that a short stale threshold takes a killed worker's job for lost and a live one's never."""

from virtualtrip.settings import *  # noqa: F403

SPEECH_JOB_HEARTBEAT_SECONDS = 1
