from django.urls import include, path

from virtualtrip.speech import views

app_name = "speech"

urlpatterns = [
    path("speech/<int:engagement_id>/", views.staff, name="staff"),
    path("speech/<int:engagement_id>/transcribe/", views.transcribe, name="transcribe"),
    path("speech/<int:engagement_id>/progress.json", views.progress, name="progress"),
    path("speech/<int:engagement_id>/transcript.<slug:extension>", views.export, name="export"),
    path("speech/<int:engagement_id>/captions.vtt", views.captions, name="captions"),
    path("", include("virtualtrip.speech.editor_urls")),
]
