from datetime import date

from django.urls import path, register_converter

from virtualtrip.trips import views


class IsoDateConverter:
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(value) from None

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

app_name = "trips"
urlpatterns = [
    path("", views.trip_index, name="index"),
    path("trips/<slug:slug>/schedule/<isodate:day>/", views.schedule_day, name="schedule-day"),
    path("trips/<slug:slug>/schedule.ics", views.schedule_ics, name="schedule-ics"),
]
