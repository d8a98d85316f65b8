from django.urls import path

from virtualtrip.floor import views

app_name = "floor"
urlpatterns = [
    path("trips/<slug:slug>/engagements/<slug:key>/register/", views.register, name="register"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("floor/<int:engagement_id>/", views.staff, name="staff"),
    path("floor/<int:engagement_id>/accreditations/<int:accreditation_id>/", views.decide, name="decide"),
    path("floor/<int:engagement_id>/invitations/", views.invite, name="invite"),
    path(
        "floor/<int:engagement_id>/invitations/<int:invitation_id>/withdraw/",
        views.withdraw_invitation,
        name="withdraw-invitation",
    ),
    path("floor/<int:engagement_id>/taken/<int:question_id>/answer/", views.write_answer, name="answer"),
    path("floor/<int:engagement_id>/log/", views.log_page, name="log"),
    path("floor/<int:engagement_id>/log.json", views.log_json, name="log-json"),
    path("floor/<int:engagement_id>/feed/", views.feed_view, name="feed"),
    path("floor/<int:engagement_id>/feed/new-link/", views.new_feed_link, name="new-feed-link"),
]
