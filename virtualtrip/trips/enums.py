"""The itinerary's fixed vocabularies, as the trip file spells them."""

from django.db import models


class EngagementKind(models.TextChoices):
    BILATERAL_MEETING = "bilateral_meeting", "Bilateral meeting"
    SITE_TOUR = "site_tour", "Site tour"
    TOWN_HALL = "town_hall", "Town hall"
    ROUNDTABLE = "roundtable", "Roundtable"
    REMARKS = "remarks", "Remarks"
    PRESS_AVAILABILITY = "press_availability", "Press availability"
    PRESS_BRIEFING = "press_briefing", "Press briefing"


class Coverage(models.TextChoices):
    OPEN_PRESS = "open_press", "Open press"
    POOL_SPRAY = "pool_spray", "Pool spray"
    CLOSED_PRESS = "closed_press", "Closed press"


class Role(models.TextChoices):
    PRINCIPAL = "principal", "Principal"
    COUNTERPART = "counterpart", "Counterpart"
    DELEGATION = "delegation", "Delegation"
    HOST = "host", "Host"
    GUIDE = "guide", "Guide"
    MODERATOR = "moderator", "Moderator"
    BRIEFER = "briefer", "Briefer"
    PRESS = "press", "Press"
    STAFF = "staff", "Staff"
    AUDIENCE = "audience", "Audience"
    INTERPRETER = "interpreter", "Interpreter"


# Roles of people who join from the destination and keep its office hours.
LOCAL_HOURS_ROLES = frozenset({Role.COUNTERPART, Role.HOST, Role.GUIDE})
