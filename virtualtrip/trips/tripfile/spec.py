"""The shape of a `virtualtrip/1` trip file, as pydantic models.

These models are the one definition of the format: the import validates against them and
`virtualtrip trip-schema` prints the JSON Schema made from them.
"""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from virtualtrip.trips.enums import Coverage, EngagementKind, GroundRules, QueuePolicy, Role
from virtualtrip.trips.tripfile import FORMAT
from virtualtrip.trips.tripfile.problems import shown
from virtualtrip.trips.validators import (
    ATTRIBUTION_MAX_LENGTH,
    LINE_BREAK,
    PRIORITY_ENTRY_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    country_problem,
    did_you_mean,
    language_problem,
    timezone_problem,
)


def _vocabulary(check: Any) -> AfterValidator:
    def validate(value: str) -> str:
        problem = check(shown(value))
        if problem:
            raise PydanticCustomError("vocabulary", problem)
        return value

    return AfterValidator(validate)


def _not_blank(value: str) -> str:
    if not value.strip():  # spaces only read as empty on every page
        raise PydanticCustomError("string_too_short", "empty")
    return value


def _text(max_length: int, **extra: Any) -> Any:
    return Annotated[
        StrictStr, Field(min_length=1, max_length=max_length, **extra), AfterValidator(_not_blank)
    ]


TERM_MAX_LENGTH = 200
TERMS_MAX = 500
_DIRECTION_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile("[\\s\u200b-\u200f\u2060\u061c\ufeff]")


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escaped(value: str) -> str:
    """The term as a message shows it: what is invisible, or would reorder the message, written as an
    escape (`\\n`, `\\u202e`), everything else as it is."""

    def escape(char: str) -> str:
        return _ESCAPES.get(char) or f"\\u{ord(char):04x}"

    pattern = f"{LINE_BREAK.pattern[:-1]}\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\u061c\ufeff]"
    return re.sub(pattern, lambda found: escape(found.group()), shown(value))


def _one_term(value: str) -> str:
    """A term is one name as it is spelled: the recogniser is told it and the correction pass writes it
    into transcripts, so a line break, a direction override or only invisible characters would be
    written there too."""
    if LINE_BREAK.search(value):
        raise PydanticCustomError(
            "vocabulary", f"term '{_escaped(value)}' must be one line: a term is one name, as it is spelled"
        )
    control = _DIRECTION_CONTROL.search(value)
    if control is not None:
        raise PydanticCustomError(
            "vocabulary",
            f"term '{_escaped(value)}' holds a direction override or isolate (U+{ord(control.group()):04X}): "
            "a term is written as it reads, without one",
        )
    if not _INVISIBLE.sub("", value):
        raise PydanticCustomError(
            "vocabulary", f"term '{_escaped(value)}' is empty: it holds only invisible characters"
        )
    return value


Term = Annotated[
    StrictStr,
    Field(min_length=1, max_length=TERM_MAX_LENGTH),
    AfterValidator(_not_blank),
    AfterValidator(_one_term),
]
Terms = Annotated[
    list[Term],
    Field(
        max_length=TERMS_MAX,
        description="Names a recording may say that the file names nowhere else: places, organisations, "
        "programmes. Speech is told them and writes them as spelled here",
    ),
]
Identifier = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=100)]
CountryCode = Annotated[
    StrictStr,
    Field(description="ISO 3166-1 alpha-2", json_schema_extra={"pattern": "^[A-Z]{2}$"}),
    _vocabulary(country_problem),
]
LanguageCode = Annotated[
    StrictStr,
    Field(description="ISO 639-1", json_schema_extra={"pattern": "^[a-z]{2}$"}),
    _vocabulary(language_problem),
]
ZoneName = Annotated[
    StrictStr, Field(description="IANA time zone name", max_length=64), _vocabulary(timezone_problem)
]
Moment = Annotated[
    StrictStr,
    Field(
        max_length=64,
        description="Local wall time in the engagement's zone (2021-02-26T10:15), "
        "or ISO 8601 with an offset (2021-02-26T10:15-06:00)",
        examples=["2021-02-26T10:15"],
    ),
]


def _known_person(value: str, info: ValidationInfo) -> str:
    people = (info.context or {}).get("person_ids")
    if people is not None and value not in people:
        raise PydanticCustomError(
            "unknown_person",
            "unknown person '{person}': add them under people{hint}",
            {"person": shown(value), "hint": did_you_mean(value, people)},
        )
    return value


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HomeSpec(Spec):
    city: _text(200)  # type: ignore[valid-type]
    timezone: ZoneName


class TripSpec(Spec):
    slug: Identifier
    title: _text(300)  # type: ignore[valid-type]
    principal: Identifier = Field(description="The id of a person under `people`")
    home: HomeSpec
    summary: Annotated[StrictStr, Field(max_length=SUMMARY_MAX_LENGTH)] = ""
    terms: Terms = []

    _principal_known = field_validator("principal")(_known_person)


class PersonSpec(Spec):
    id: Identifier
    name: _text(200)  # type: ignore[valid-type]
    title: Annotated[StrictStr, Field(max_length=300)] = ""
    country: CountryCode | None = None
    label: Annotated[StrictStr, Field(max_length=200, description="How a transcript names this speaker")] = ""
    languages: list[LanguageCode] = []
    outlet: Annotated[StrictStr, Field(max_length=200)] | None = Field(
        default=None, description="Journalists: their outlet"
    )


class ParticipantSpec(Spec):
    person: Identifier
    role: Role

    _person_known = field_validator("person")(_known_person)


class GroundRulesSpec(Spec):
    """What the press may do with what is said; read out on joining and shown all along."""

    rule: GroundRules = Field(default=GroundRules.ON_RECORD, description="Defaults to on_record")
    attribution: Annotated[StrictStr, Field(max_length=ATTRIBUTION_MAX_LENGTH)] = Field(
        default="",
        description="background only, and required there: how the press names the speaker, "
        "e.g. A SENIOR STATE DEPARTMENT OFFICIAL",
    )
    embargo: Moment | None = Field(
        default=None,
        description="Nothing said may be published before this time: a wall time in the engagement's "
        "zone, or ISO 8601 with an offset",
    )


class QuestionsSpec(Spec):
    """The order in which the moderator's queue offers the press's questions."""

    order: QueuePolicy = Field(default=QueuePolicy.FIRST_COME, description="Defaults to first_come")
    priority: list[Annotated[StrictStr, Field(max_length=PRIORITY_ENTRY_MAX_LENGTH)]] = Field(
        default=[],
        description="order priority only: outlets' names or ISO 3166-1 alpha-2 country codes, in order",
    )


class EngagementSpec(Spec):
    id: Identifier
    kind: EngagementKind
    title: _text(300)  # type: ignore[valid-type]
    starts: Moment
    ends: Moment
    timezone: ZoneName | None = Field(default=None, description="Defaults to the destination's")
    location: Annotated[StrictStr, Field(max_length=200)] = ""
    coverage: Coverage
    public: StrictBool = Field(default=False, description="false: never on any public page, feed or calendar")
    record: StrictBool = Field(default=False, description="true: the room is recorded and its audio kept")
    ground_rules: GroundRulesSpec = GroundRulesSpec()
    questions: QuestionsSpec = QuestionsSpec()
    terms: Terms = []
    languages: list[LanguageCode] = Field(
        default=[],
        description="The languages of its interpretation channels; defaults to the destination's and "
        "the participants' languages",
    )
    participants: list[ParticipantSpec] = []


class DestinationSpec(Spec):
    country: CountryCode
    timezone: ZoneName
    mission: Annotated[StrictStr, Field(max_length=200)] = ""
    languages: list[LanguageCode] = []
    engagements: list[EngagementSpec] = []


class TripFileSpec(Spec):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Virtual Trip trip file",
    )

    format: Literal["virtualtrip/1"] = Field(description=f"Always {FORMAT}")
    trip: TripSpec
    people: list[PersonSpec] = []
    destinations: list[DestinationSpec] = []


def json_schema() -> dict[str, Any]:
    schema = TripFileSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
