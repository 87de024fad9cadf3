# Production image of bsc: the web server (gunicorn), the Celery worker and
# Celery beat all run from it; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: msgfmt for compilemessages below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so code changes don't reinstall them. pyproject.toml
# declares no Python packages (packages = []): `pip install .` installs only
# the dependencies, and the code runs from /app.
COPY pyproject.toml ./
RUN pip install --no-cache-dir .

COPY . .

# Compile the translations into the image. The settings need a SECRET_KEY
# when DEBUG is off; this one exists only for this build step.
RUN SECRET_KEY=build-only-not-secret python manage.py compilemessages

# Run as an unprivileged user that owns what the app writes at run time
# (collected static files, uploaded media, the SQLite fallback in var/).
RUN useradd --system --create-home --uid 10001 --user-group app \
    && mkdir -p /app/staticfiles /app/var/media \
    && chown -R app:app /app/staticfiles /app/var
USER app

EXPOSE 8000

CMD ["gunicorn", "bsc_site.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
