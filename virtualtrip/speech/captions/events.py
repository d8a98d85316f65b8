"""The caption event the room's pages get on their control channel (docs/protocol.md)."""

from typing import Literal

from virtualtrip.realtime.protocol import Strict


class CaptionChanged(Strict):
    """A voice's caption cue, whole so far. `final` cues no longer change; the next update of the
    same voice is a new cue. `speaker` is the label the room knows them by (never a background
    briefer's name)."""

    type: Literal["caption.changed"] = "caption.changed"
    voice: int
    """The speaker's publisher id in the room, as the pages' tiles know it."""
    cue: int
    speaker: str
    text: str
    final: bool
