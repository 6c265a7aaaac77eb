"""Websocket routes (the live dashboard and event screen)."""

websocket_urlpatterns: list = []
