"""The recogniser's words, on the audio's clock."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Word:
    start: float
    """Seconds from the start of the audio."""
    end: float
    text: str
    """As written in the transcript, with the space before it and the punctuation after it."""
    probability: float = 1.0

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2

    def written(self, text: str) -> "Word":
        return replace(self, text=text)


def joined(words: list[Word]) -> str:
    return "".join(word.text for word in words).strip()
