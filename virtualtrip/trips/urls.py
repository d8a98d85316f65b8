from datetime import date

from django.urls import path, register_converter

from virtualtrip.trips import views
from virtualtrip.trips.times import check_year


class IsoDateConverter:
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        """A day a trip may take (404 otherwise: no trip happens in year 9999, and a page of it would
        reach past the calendar's end)."""
        try:
            day = date.fromisoformat(value)
            check_year(day)
        except ValueError:
            raise ValueError(value) from None
        return day

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

app_name = "trips"
urlpatterns = [
    path("", views.trip_index, name="index"),
    path("trips/<slug:slug>/schedule/<isodate:day>/", views.schedule_day, name="schedule-day"),
    path("trips/<slug:slug>/schedule.ics", views.schedule_ics, name="schedule-ics"),
]
