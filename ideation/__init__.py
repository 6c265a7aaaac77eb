"""The consultation domain: models, services (writes), selectors (reads) and the web adapter."""
