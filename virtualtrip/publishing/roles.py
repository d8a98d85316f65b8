"""The three desks of a press office, as Django groups: who writes, who clears, who publishes.

Clearance rests on permissions, not on groups, so a site can arrange people as it likes; the groups
are there so that a new site has the usual arrangement without configuring anything.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission

ROLE_PERMISSIONS = {
    "Editors": ["view_document", "add_document", "change_document", "add_attachment", "view_attachment"],
    "Clearers": ["view_document", "clear_document", "view_attachment"],
    "Publishers": ["view_document", "publish_document", "view_attachment"],
}


def ensure_role_groups(**_: Any) -> None:
    """Create the groups and give them their permissions (run after every `migrate`)."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="publishing", codename__in=codenames)
        group.permissions.add(*permissions)
