from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "virtualtrip.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from virtualtrip.publishing.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
