"""Latin letters without their marks: how an English speaker (and an English-only recogniser, and
espeak-ng's English voices) meets a name written in another language's alphabet."""

import unicodedata

_LATIN_WITHOUT_PARTS = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Æ": "Ae", "æ": "ae"}
    | {"Œ": "Oe", "œ": "oe", "ß": "ss", "Þ": "Th", "þ": "th", "ı": "i"}
)
"""Latin letters that Unicode does not decompose into a base letter and a mark."""


def without_marks(text: str) -> str:
    """`text` with its Latin letters bare ("Łódź" is "Lodz", "Hải Phòng" is "Hai Phong"); letters of
    other scripts are left as they are."""
    folded = []
    for character in text.translate(_LATIN_WITHOUT_PARTS):
        if character.isascii() or "LATIN" not in unicodedata.name(character, ""):
            folded.append(character)
            continue
        parts = unicodedata.normalize("NFKD", character)
        folded.append("".join(part for part in parts if not unicodedata.combining(part)) or character)
    return "".join(folded)
