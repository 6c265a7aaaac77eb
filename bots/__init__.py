"""The Telegram adapter: it calls ideation.services and ideation.selectors only."""
