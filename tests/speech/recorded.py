"""A room's recording as the rooms store it, from rehearsed audio: what a transcription job reads."""

import shutil
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from virtualtrip.rooms import actions
from virtualtrip.rooms.models import Room
from virtualtrip.rooms.recordings import TrackFile, room_folder
from virtualtrip.rooms.seats import person_seat_key
from virtualtrip.speech.rehearsal import Rehearsal
from virtualtrip.trips.models import Engagement, Person


def store_recording(
    engagement: Engagement,
    rehearsal: Rehearsal,
    starts_at: datetime | None = None,
    *,
    end: bool = True,
    speakers: bool = False,
) -> Room:
    """The engagement's room opened, ended and its mix stored (under settings.RECORDINGS_DIR) as the
    room's recording, through rooms' own actions: `recording_stored` is sent once this commits.

    `end=False` leaves the room's end out, and with it the room event it sends, which cannot be sent
    while a browser test's Playwright runs its event loop in the thread. `speakers=True` stores each
    speaker's own file too, as the room records one per seat (the rehearsal's speakers are people's
    ids in the trip file)."""
    room = actions.do_open_room(engagement)
    if end:
        room = actions.do_end_room(room, acting="Host")
    folder = room_folder(engagement.pk)
    folder.mkdir(parents=True, exist_ok=True)
    mix = Path(shutil.copyfile(rehearsal.mix, folder / "room.wav"))
    at = starts_at or timezone.now()
    tracks = [TrackFile(None, mix, at, rehearsal.duration, mix.stat().st_size)]
    if speakers:
        people = dict(Person.objects.filter(trip=engagement.trip).values_list("key", "pk"))
        for key, path in rehearsal.tracks.items():
            copied = Path(shutil.copyfile(path, folder / f"speaker-p{people[key]}.wav"))
            tracks.append(
                TrackFile(person_seat_key(people[key]), copied, at, rehearsal.duration, copied.stat().st_size)
            )
    actions.do_store_recording(room, tracks)
    return room
