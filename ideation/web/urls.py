from django.urls import path

from ideation.web.views import live, moderation, participant, presenter, synthesis

app_name = "ideation"

urlpatterns = [
    path("", participant.index, name="index"),
    path("c/<slug:slug>/", participant.landing, name="landing"),
    path("c/<slug:slug>/profile/", participant.profile, name="profile"),
    path("c/<slug:slug>/q/<int:order>/", participant.question, name="question"),
    path("c/<slug:slug>/vote/", participant.vote, name="vote"),
    path("c/<slug:slug>/vote/<int:statement_id>/", participant.vote_change, name="vote_change"),
    path("c/<slug:slug>/votes/", participant.votes, name="votes"),
    path("c/<slug:slug>/statements/new/", participant.statement_new, name="statement_new"),
    path("c/<slug:slug>/done/", participant.done, name="done"),
    path("c/<slug:slug>/language/", participant.language, name="language"),
    path("c/<slug:slug>/privacy/", participant.privacy, name="privacy"),
    path("c/<slug:slug>/screen/", live.screen, name="screen"),
    path("facilitate/<slug:slug>/", live.dashboard, name="dashboard"),
    path("facilitate/<slug:slug>/screen/", presenter.screen_control, name="screen_control"),
    path("facilitate/<slug:slug>/statements/<int:statement_id>/", live.breakdown, name="breakdown"),
    path("facilitate/<slug:slug>/report/", synthesis.report, name="report"),
    path("facilitate/<slug:slug>/themes/", synthesis.themes, name="themes"),
    path("facilitate/<slug:slug>/exports/", synthesis.exports, name="exports"),
    path("facilitate/<slug:slug>/exports/<str:kind>.<str:fmt>", synthesis.export_file, name="export_file"),
    path("moderate/<slug:slug>/", moderation.queue, name="moderation"),
    path("moderate/<slug:slug>/log/", moderation.log, name="moderation_log"),
    path("moderate/<slug:slug>/log.csv", moderation.log_csv, name="moderation_log_csv"),
    path("facilitate/", moderation.live_pages, name="live_pages"),
]
