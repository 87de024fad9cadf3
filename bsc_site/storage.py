from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed files after collectstatic; plain names before it.

    Tests and the development server run without collectstatic, so a missing
    manifest entry falls back to the file's own name instead of raising.
    """

    manifest_strict = False
