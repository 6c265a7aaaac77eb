"""Websocket routes (the live dashboard and event screen)."""

from django.urls import path

from ideation.web.consumers import DashboardConsumer, ScreenConsumer

websocket_urlpatterns: list = [
    path("ws/facilitate/<slug:slug>/", DashboardConsumer.as_asgi()),
    path("ws/screen/<slug:slug>/", ScreenConsumer.as_asgi()),
]
