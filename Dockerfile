# Linli production image: gunicorn serves Django (WhiteNoise serves the static files); the same
# image runs the Celery worker and beat (docker-compose.yml overrides the command).
FROM python:3.11-slim

# gunicorn reads its worker count from WEB_CONCURRENCY: override it per deployment (.env).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

# The processes run as this user; the code stays owned by root, so they cannot rewrite it.
# Celery beat keeps its schedule in /var/lib/linli, uploaded photos are in /var/lib/linli/media
# (named volumes in docker-compose.yml, which start out owned by this user).
RUN groupadd --system --gid 10001 linli \
    && useradd --system --uid 10001 --gid linli --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin linli \
    && mkdir -p /var/lib/linli/media \
    && chown -R linli:linli /var/lib/linli \
    && chmod 750 /var/lib/linli/media

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. pyproject.toml declares no
# packages, so installing "." installs only the pinned dependencies (README.md is its readme).
COPY pyproject.toml README.md ./
COPY requirements/constraints.txt requirements/constraints.txt
RUN pip install -c requirements/constraints.txt . \
    && rm -rf build ./*.egg-info

COPY . .

# Static files are collected into the image. Production settings refuse to load without their
# secrets, so this one step gets throwaway values; they are not kept in the image's environment.
RUN SECRET_KEY=collectstatic-build-step-only-not-a-real-key \
    ID_NUMBER_KEYS=collectstatic-build-step-only \
    ID_NUMBER_HMAC_KEY=collectstatic-build-step-only \
    python manage.py collectstatic --noinput

USER linli

EXPOSE 8000

# Same check as the web service's in docker-compose.yml: a real API request through Django and
# the database. The Host header is the first ALLOWED_HOSTS entry (so the request is not rejected
# as a disallowed host) and X-Forwarded-Proto says https (so SECURE_SSL_REDIRECT does not bounce it).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('*.') or 'localhost'; u.urlopen(u.Request('http://127.0.0.1:8000/api/v1/centers/', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=5)"]

CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--timeout", "30"]
