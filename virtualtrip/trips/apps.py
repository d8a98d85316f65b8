from django.apps import AppConfig


class TripsConfig(AppConfig):
    name = "virtualtrip.trips"
    label = "trips"
    verbose_name = "Itinerary"
