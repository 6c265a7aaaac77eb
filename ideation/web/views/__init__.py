"""The web adapter: participant pages, the moderation page, error pages."""
