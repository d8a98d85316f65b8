"""The itinerary's fixed vocabularies, as the trip file spells them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EngagementKind(models.TextChoices):
    BILATERAL_MEETING = "bilateral_meeting", _("Bilateral meeting")
    SITE_TOUR = "site_tour", _("Site tour")
    TOWN_HALL = "town_hall", _("Town hall")
    ROUNDTABLE = "roundtable", _("Roundtable")
    REMARKS = "remarks", _("Remarks")
    PRESS_AVAILABILITY = "press_availability", _("Press availability")
    PRESS_BRIEFING = "press_briefing", _("Press briefing")


class Coverage(models.TextChoices):
    OPEN_PRESS = "open_press", _("Open press")
    # Translators: a brief moment, at the start of an engagement, when the press pool may take
    # pictures and video.
    POOL_SPRAY = "pool_spray", _("Pool spray")
    CLOSED_PRESS = "closed_press", _("Closed press")


class Role(models.TextChoices):
    # Translators: the senior official the trip is for (the minister, the secretary).
    PRINCIPAL = "principal", _("Principal")
    COUNTERPART = "counterpart", _("Counterpart")
    DELEGATION = "delegation", _("Delegation")
    HOST = "host", _("Host")
    GUIDE = "guide", _("Guide")
    MODERATOR = "moderator", _("Moderator")
    # Translators: the person who gives a press briefing.
    BRIEFER = "briefer", _("Briefer")
    PRESS = "press", _("Press")
    STAFF = "staff", _("Staff")
    AUDIENCE = "audience", _("Audience")
    INTERPRETER = "interpreter", _("Interpreter")


# Roles of people who join from the destination and keep its office hours.
LOCAL_HOURS_ROLES = frozenset({Role.COUNTERPART, Role.HOST, Role.GUIDE})


class GroundRules(models.TextChoices):
    """What the press may do with what is said in an engagement."""

    ON_RECORD = "on_record", _("On the record")
    # Translators: the press may report what is said, attributed to a description of the speaker
    # ("a senior official"), never to their name.
    BACKGROUND = "background", _("On background")
    OFF_RECORD = "off_record", _("Off the record")


class QueuePolicy(models.TextChoices):
    """The order in which the moderator's queue of questions is offered."""

    FIRST_COME = "first_come", _("First come, first served")
    ONE_PER_OUTLET = "one_per_outlet", _("One question per outlet until every outlet has asked")
    PRIORITY = "priority", _("Priority list first")
