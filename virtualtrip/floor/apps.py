from django.apps import AppConfig


class FloorConfig(AppConfig):
    name = "virtualtrip.floor"
    verbose_name = "Floor"

    def ready(self) -> None:
        from virtualtrip.floor import signals  # noqa: F401  (listens to rooms' talking events)
