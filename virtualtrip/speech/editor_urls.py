"""The transcript editor's addresses, in the `speech` namespace (included by `speech.urls`)."""

from django.urls import path

from virtualtrip.speech import editor_views

urlpatterns = [
    path("speech/<int:engagement_id>/editor/", editor_views.editor_page, name="editor"),
    path(
        "speech/<int:engagement_id>/editor/paragraphs/<int:index>/",
        editor_views.edit_paragraph,
        name="editor-paragraph",
    ),
    path(
        "speech/<int:engagement_id>/editor/corrections/<int:index>/undo/",
        editor_views.undo_correction,
        name="editor-undo",
    ),
    path("speech/<int:engagement_id>/editor/clearance/", editor_views.send_to_clearance, name="editor-send"),
    path("speech/<int:engagement_id>/audio/", editor_views.audio, name="audio"),
]
