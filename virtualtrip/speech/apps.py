from django.apps import AppConfig


class SpeechConfig(AppConfig):
    name = "virtualtrip.speech"
    label = "speech"
    verbose_name = "Speech"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from virtualtrip.speech import signals  # noqa: F401 (connects the receivers)
