"""Static file storage: compressed, content-hashed names for long caching."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """After ``collectstatic``: hashed, pre-compressed files. Before it (tests, a fresh
    checkout): the plain names, which WhiteNoise then serves from the sources."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            return name
