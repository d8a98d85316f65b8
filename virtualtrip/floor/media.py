"""What the floor asks of the media: publishing rights for the person who holds it (rooms carries
them out on Janus; the floor only decides)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from virtualtrip.floor.people import Viewer
from virtualtrip.rooms import actions as room_actions


def _user(viewer: Viewer | None) -> AbstractBaseUser | None:
    if viewer is None or viewer.user_id is None:
        return None
    return get_user_model().objects.filter(pk=viewer.user_id).first()


def give_voice(engagement_id: int, person_id: int, by: Viewer, until: datetime | None = None) -> None:
    room_actions.do_grant_publishing(
        engagement_id, person_id, audio=True, video=True, until=until, acting_user=_user(by)
    )


def take_voice(engagement_id: int, person_id: int, by: Viewer | None, reason: str) -> None:
    room_actions.do_withdraw_publishing(engagement_id, person_id, acting_user=_user(by), reason=reason)
