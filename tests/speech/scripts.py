"""Scripted briefings of a made-up trip, for speech tests and the transcription benchmark.

Each script comes with the people it uses, as the trip file holds them, and the places it names, so
that a test can import the trip, rehearse the script (`virtualtrip.speech.rehearsal.rehearse`) and
know every word, speaker, name and time of the audio it transcribes. The speakers of the lines are the
people's ids. People who are named but never speak (a mayor, a minister) have no role in the briefing:
they are in the trip, so the recogniser knows their names.
"""

from dataclasses import dataclass, field
from typing import Any

from virtualtrip.speech.rehearsal import Line

HOME_ZONE = "America/New_York"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    title: str
    label: str
    """How a transcript names them: MODERATOR, QUESTION for journalists, MS BRANDT..."""
    country: str
    role: str | None = None
    """In the briefing: moderator, briefer or press; None for people who are only talked about."""
    outlet: str | None = None


@dataclass(frozen=True)
class Place:
    name: str
    country: str


@dataclass(frozen=True)
class Script:
    slug: str
    title: str
    kind: str
    """The engagement's kind in the trip file: press_briefing, press_availability."""
    lines: list[Line]
    people: list[Person]
    places: list[Place]
    attribution: str = ""
    """Set for a briefing on background: how the press must name the briefer."""
    terms: list[str] = field(default_factory=list)

    def speakers(self) -> list[Person]:
        """The people who speak, in the order they first do."""
        by_id = {person.id: person for person in self.people}
        return [by_id[speaker] for speaker in dict.fromkeys(line.speaker for line in self.lines)]

    def names(self) -> list[str]:
        """Every name of a person or place the script's people and places hold."""
        return [person.name for person in self.people] + [place.name for place in self.places]


ADEYEMI = Person(
    id="marcus-adeyemi",
    name="Marcus Adeyemi",
    title="Moderator, Foreign Press Center",
    label="MODERATOR",
    country="US",
    role="moderator",
)
BRANDT = Person(
    id="helena-brandt",
    name="Helena Brandt",
    title="Special Envoy for Ports and Trade",
    label="ENVOY BRANDT",
    country="US",
    role="briefer",
)
ZIELINSKI = Person(
    id="tomasz-zielinski",
    name="Tomasz Zieliński",
    title="Senior Adviser for Central Europe",
    label="MR ZIELINSKI",
    country="US",
    role="briefer",
)
GONZALEZ = Person(
    id="lucia-gonzalez",
    name="Lucía González",
    title="Correspondent",
    label="QUESTION",
    country="MX",
    role="press",
    outlet="El Diario del Norte",
)
KEDZIERSKI = Person(
    id="wojciech-kedzierski",
    name="Wojciech Kędzierski",
    title="Correspondent",
    label="QUESTION",
    country="PL",
    role="press",
    outlet="Gazeta Bałtycka",
)
NGUYEN = Person(
    id="nguyen-thu-ha",
    name="Nguyễn Thu Hà",
    title="Correspondent",
    label="QUESTION",
    country="VN",
    role="press",
    outlet="Cảng Biển Daily",
)
NI_BHRIAIN = Person(
    id="siobhan-ni-bhriain",
    name="Siobhán Ní Bhriain",
    title="Correspondent",
    label="QUESTION",
    country="IE",
    role="press",
    outlet="The Irish Ledger",
)
# Named in the briefing, in no role in it.
OCAMPO = Person(
    id="beatriz-ocampo",
    name="Beatriz Ocampo",
    title="Secretary of Foreign Affairs",
    label="SECRETARY OCAMPO",
    country="MX",
)
CRUZ_PEREZ = Person(
    id="armando-cruz-perez",
    name="Armando Cruz Pérez",
    title="Mayor of Ciudad Juárez",
    label="MAYOR CRUZ PÉREZ",
    country="MX",
)
LUKASIEWICZ = Person(
    id="zbigniew-lukasiewicz",
    name="Zbigniew Łukasiewicz",
    title="Deputy Minister of Infrastructure",
    label="MR ŁUKASIEWICZ",
    country="PL",
)
TRAN = Person(
    id="tran-van-quang",
    name="Trần Văn Quang",
    title="Vice Minister of Transport",
    label="VICE MINISTER QUANG",
    country="VN",
)

CIUDAD_JUAREZ = Place("Ciudad Juárez", "MX")
EL_PASO = Place("El Paso", "US")
CHIHUAHUA = Place("Chihuahua", "MX")
MONTERREY = Place("Monterrey", "MX")
MEXICO_CITY = Place("Mexico City", "MX")
GDANSK = Place("Gdańsk", "PL")
LODZ = Place("Łódź", "PL")
HAI_PHONG = Place("Hải Phòng", "VN")
HANOI = Place("Hanoi", "VN")

SHORT = Script(
    slug="ports-press-availability",
    title="Press availability with Special Envoy Brandt",
    kind="press_availability",
    lines=[
        Line(ADEYEMI.id, "Good afternoon. Envoy Brandt will take a few questions, on the record."),
        Line(BRANDT.id, "Thank you, Marcus. We spent the morning in Ciudad Juárez with the port staff."),
        Line(ADEYEMI.id, "Go ahead, Lucía González of El Diario del Norte."),
        Line(GONZALEZ.id, "Thank you. When will the new crossing open?"),
        Line(BRANDT.id, "We expect it to open next spring."),
    ],
    people=[ADEYEMI, BRANDT, GONZALEZ],
    places=[CIUDAD_JUAREZ],
)

LONG = Script(
    slug="ports-press-briefing",
    title="Briefing on the ports trip",
    kind="press_briefing",
    lines=[
        Line(
            ADEYEMI.id,
            "Good morning, everyone, and welcome to the Foreign Press Center. Today's briefing is on the"
            " record. Please keep to one question each, and wait for me to call on you. Our briefer is"
            " Special Envoy Helena Brandt, back from Ciudad Juárez, Gdańsk and Hải Phòng. Envoy Brandt,"
            " over to you.",
        ),
        Line(
            BRANDT.id,
            "Thank you, Marcus. Three ports in one week, all by video. In Ciudad Juárez, Mayor Armando"
            " Cruz Pérez showed us the new cargo lanes toward El Paso, and Foreign Secretary Beatriz"
            " Ocampo joined us from Mexico City. In Gdańsk we met Deputy Minister Zbigniew Łukasiewicz"
            " and rail planners from Łódź. In Hải Phòng, Vice Minister Trần Văn Quang walked us through"
            " the container terminal. With that, I am happy to take your questions.",
        ),
        Line(ADEYEMI.id, "Go ahead, Lucía González of El Diario del Norte."),
        Line(
            GONZALEZ.id,
            "Thank you, Envoy. Will the lanes to El Paso also serve trucks from Chihuahua and Monterrey?",
        ),
        Line(
            BRANDT.id,
            "Yes. The first lanes open to trucks from Chihuahua in the spring, and Monterrey follows in"
            " the autumn.",
        ),
        Line(GONZALEZ.id, "A quick follow-up: who pays for the inspections?"),
        Line(BRANDT.id, "The two governments share that cost, as Secretary Ocampo and I agreed."),
        Line(ADEYEMI.id, "Next, Wojciech Kędzierski of Gazeta Bałtycka."),
        Line(
            KEDZIERSKI.id,
            "Envoy Brandt, when will the rail line from Łódź to Gdańsk carry its first containers?",
        ),
        Line(BRANDT.id, "Deputy Minister Łukasiewicz expects the first trains next year."),
        Line(ADEYEMI.id, "We have time for one more question. Nguyễn Thu Hà of Cảng Biển Daily, go ahead."),
        Line(NGUYEN.id, "Thank you. Will ships from Hải Phòng call at Gdańsk directly?"),
        Line(BRANDT.id, "Not yet. Vice Minister Quang and I meet again in Hanoi in March to talk it over."),
        Line(ADEYEMI.id, "Thank you, Envoy Brandt, and thank you all for joining us. This briefing is over."),
    ],
    people=[ADEYEMI, BRANDT, GONZALEZ, KEDZIERSKI, NGUYEN, OCAMPO, CRUZ_PEREZ, LUKASIEWICZ, TRAN],
    places=[CIUDAD_JUAREZ, EL_PASO, CHIHUAHUA, MONTERREY, MEXICO_CITY, GDANSK, LODZ, HAI_PHONG, HANOI],
    terms=["Foreign Press Center", "container terminal", "cargo lanes"],
)

BACKGROUND = Script(
    slug="ports-background-briefing",
    title="Background briefing on the Baltic leg",
    kind="press_briefing",
    lines=[
        Line(
            ADEYEMI.id,
            "Good afternoon. This call is on background: please refer to our briefer as a senior State"
            " Department official. Go ahead.",
        ),
        Line(ZIELINSKI.id, "Thank you. The talks in Gdańsk went well, and we will go back in June."),
        Line(ADEYEMI.id, "Go ahead, Siobhán Ní Bhriain of The Irish Ledger."),
        Line(NI_BHRIAIN.id, "Will the Vietnamese side take part in June?"),
        Line(ZIELINSKI.id, "We hope so."),
    ],
    people=[ADEYEMI, ZIELINSKI, NI_BHRIAIN],
    places=[GDANSK],
    attribution="A SENIOR STATE DEPARTMENT OFFICIAL",
)

SCRIPTS = (SHORT, LONG, BACKGROUND)


def trip_document(script: Script) -> dict[str, Any]:
    """A trip file (`virtualtrip/1`, as a dict) holding the script's people and its briefing.

    The briefing is one engagement at home whose participants are the people who speak, in their
    roles; the people who are only talked about are people of the trip in no engagement.
    """
    briefer = next(person for person in script.people if person.role == "briefer")
    engagement: dict[str, Any] = {
        "id": script.slug,
        "kind": script.kind,
        "title": script.title,
        "starts": "2027-03-04T10:00",
        "ends": "2027-03-04T11:00",
        "location": "Washington, D.C.",
        "coverage": "open_press",
        "public": True,
        "record": True,
        "participants": [{"person": person.id, "role": person.role} for person in script.speakers()],
        "terms": list(script.terms),
    }
    if script.attribution:
        engagement["ground_rules"] = {"rule": "background", "attribution": script.attribution}
    return {
        "format": "virtualtrip/1",
        "trip": {
            "slug": script.slug,
            "title": script.title,
            "principal": briefer.id,
            "home": {"city": "Washington, D.C.", "timezone": HOME_ZONE},
            "terms": [place.name for place in script.places],
        },
        "people": [_person_entry(person) for person in script.people],
        "destinations": [{"country": "US", "timezone": HOME_ZONE, "engagements": [engagement]}],
    }


def _person_entry(person: Person) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "title": person.title,
        "country": person.country,
        "label": person.label,
    }
    if person.outlet:
        entry["outlet"] = person.outlet
    return entry
