from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "virtualtrip.rooms"
    label = "rooms"
    verbose_name = "Live rooms"

    def ready(self) -> None:
        from virtualtrip.rooms import signals  # noqa: F401 (connects the receivers)
