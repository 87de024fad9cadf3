from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed files after collectstatic; plain names before it.

    Tests and the development server run without collectstatic, so a file missing
    from the manifest is served under its own name instead of raising.
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
