"""The deployment files (docker-compose.yml, Dockerfile, .env.example) agree with the code.

No Docker is needed: these read the files and check what they name exists, and that every
setting read from the environment is documented. No database either.
"""

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
COMPOSE_ENVIRONMENT = {
    "DATABASE_URL": "postgres://linli:linli@db:5432/linli",
    "REDIS_URL": "redis://redis:6379/0",
    "CELERY_BROKER_URL": "redis://redis:6379/1",
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
}
# Knobs documented ahead of the code that reads them.
DOCUMENTED_AHEAD = {"WECHAT_API_BASE", "WECHAT_APPID", "WECHAT_SECRET"}
ENV_CALL = re.compile(
    r"""\benv(?:\.(?:str|bool|int|float|list|tuple|dict|json|url|db|db_url|cache|cache_url"""
    r"""|email|email_url|search_url|path))?\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""
)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile():
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    lines = [
        line
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    text = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [line.strip() for line in text.splitlines() if line.strip()]


def instructions(dockerfile, name):
    return [line[len(name) :].strip() for line in dockerfile if line.split()[0].upper() == name]


def documented_variables():
    """Names in .env.example, set or commented out (`NAME=...` or `# NAME=...`)."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?[ \t]*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def environment(service):
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def command(service):
    cmd = service.get("command", [])
    return cmd.split() if isinstance(cmd, str) else list(cmd)


def healthcheck_command(test):
    """The program a compose/Dockerfile health check runs, as an argv list."""
    assert test[0] in ("CMD", "CMD-SHELL"), test
    return test[1:]


# --- docker-compose.yml ---------------------------------------------------------------------------


def test_compose_defines_the_stack(services, compose):
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert "version" not in compose  # obsolete in the Compose Specification
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "8000:8000" in [str(port) for port in services["web"]["ports"]]
    for name, service in services.items():
        assert service.get("restart"), f"{name} has no restart policy"


def test_health_checks(services):
    for name in ("db", "redis", "web"):
        check = services[name].get("healthcheck") or {}
        assert not check.get("disable"), name
        assert check.get("test"), f"{name} has no health check"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    # A service running the Linli image without its own check would inherit the Dockerfile's
    # HTTP check, which only gunicorn can pass.
    for name, service in services.items():
        if service.get("image", "").startswith("linli") and name != "web":
            assert "healthcheck" in service, f"{name} inherits the web health check"


def test_app_services_wait_for_healthy_db_and_redis(services):
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for dependency in ("db", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_migrations_run_before_web(services):
    web = services["web"]
    if "manage.py migrate" in " ".join(command(web)):
        return
    migrators = [
        name
        for name, condition in web["depends_on"].items()
        if condition.get("condition") == "service_completed_successfully"
        and command(services[name])[:3] == ["python", "manage.py", "migrate"]
    ]
    assert migrators, "web neither runs migrate nor waits for a service that does"
    for name in migrators:
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services[name].get("restart") == "no"


def test_app_services_environment(services):
    for name in APP_SERVICES:
        service = services[name]
        env_file = service["env_file"]
        env_files = [env_file] if isinstance(env_file, str | dict) else env_file
        paths = [item["path"] if isinstance(item, dict) else item for item in env_files]
        assert ".env" in paths, name
        env = environment(service)
        for key, value in COMPOSE_ENVIRONMENT.items():
            assert env.get(key) == value, (name, key)


def test_data_lives_on_named_volumes(services, compose):
    named = set(compose.get("volumes") or {})
    db_volumes = {v.split(":")[1]: v.split(":")[0] for v in services["db"]["volumes"]}
    assert db_volumes["/var/lib/postgresql/data"] in named
    redis_volumes = {v.split(":")[1]: v.split(":")[0] for v in services["redis"]["volumes"]}
    assert redis_volumes["/data"] in named
    assert "--appendonly yes" in " ".join(command(services["redis"]))


# Building the WSGI handler starts WhiteNoise, which warns that collectstatic has not run here.
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_commands_name_things_that_exist(services):
    from celery import Celery
    from celery.app.utils import find_app

    import config

    for name in ("worker", "beat"):
        argv = command(services[name])
        assert argv[0] == "celery"
        app_name = argv[argv.index("-A") + 1]
        assert app_name == "config"
        # How the celery command itself resolves "-A config".
        app = find_app(app_name)
        assert isinstance(app, Celery)
        assert app is config.celery_app
    assert command(services["worker"])[3] == "worker"
    assert command(services["beat"])[3] == "beat"

    web = command(services["web"])
    if web:  # otherwise the image's CMD runs; see test_dockerfile
        assert web[0] == "gunicorn"
        assert "config.wsgi:application" in web
        assert web[web.index("--bind") + 1] == "0.0.0.0:8000"
    assert_wsgi_app_exists("config.wsgi:application")
    assert (ROOT / "manage.py").is_file()


def assert_wsgi_app_exists(spec):
    module_name, attribute = spec.split(":")
    assert (ROOT / (module_name.replace(".", "/") + ".py")).is_file()
    module = importlib.import_module(module_name)  # pytest-django has configured the settings
    assert callable(getattr(module, attribute))


def test_web_health_check_asks_a_real_url(services, dockerfile):
    from django.urls import resolve

    compose_check = healthcheck_command(services["web"]["healthcheck"]["test"])
    (image_check,) = instructions(dockerfile, "HEALTHCHECK")
    image_check = json.loads(image_check.split(" CMD ", 1)[1])
    # Compose spells out the image's check; they must not drift apart.
    assert compose_check == image_check
    code = compose_check[-1]
    compile(code, "<healthcheck>", "exec")
    url = re.search(r"http://127\.0\.0\.1:8000(/[^'\"]*)", code)
    assert url, code
    resolve(url.group(1))  # raises Resolver404 if the API moved


def test_interpolated_variables_are_documented():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8").replace("$$", "")
    used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))
    assert used <= documented_variables(), used - documented_variables()


# --- Dockerfile ---------------------------------------------------------------------------------


def test_dockerfile(dockerfile):
    assert instructions(dockerfile, "FROM") == ["python:3.11-slim"]
    runs = " && ".join(instructions(dockerfile, "RUN"))
    assert "pip install -c requirements/constraints.txt ." in runs
    assert "manage.py collectstatic --noinput" in runs
    env = " ".join(instructions(dockerfile, "ENV"))
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in env
    assert "SECRET_KEY" not in env  # the build's throwaway key must not stay in the image
    (user,) = instructions(dockerfile, "USER")
    assert user not in ("root", "0")
    assert instructions(dockerfile, "EXPOSE") == ["8000"]
    assert instructions(dockerfile, "HEALTHCHECK")

    (cmd,) = instructions(dockerfile, "CMD")
    argv = json.loads(cmd)
    assert argv[0] == "gunicorn"
    assert "config.wsgi:application" in argv
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"
    assert not instructions(dockerfile, "ENTRYPOINT")


def test_dockerfile_copies_files_that_exist(dockerfile):
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for copy in instructions(dockerfile, "COPY"):
        *sources, _destination = copy.split()
        for source in sources:
            if source == ".":
                continue
            if source == "requirements/constraints.txt" and not (ROOT / source).exists():
                continue  # generated separately; the build fails loudly without it
            assert (ROOT / source).exists(), source
            assert source not in ignored and source.split("/")[0] not in ignored, source


# --- .env.example ---------------------------------------------------------------------------------


def test_every_setting_read_from_the_environment_is_documented():
    read = set()
    for path in sorted((ROOT / "config" / "settings").glob("*.py")):
        read |= set(ENV_CALL.findall(path.read_text(encoding="utf-8")))
    assert {"SECRET_KEY", "DATABASE_URL", "DJANGO_DEBUG"} <= read  # the regex finds them
    missing = (read | DOCUMENTED_AHEAD) - documented_variables()
    assert not missing, f"not in .env.example: {sorted(missing)}"


def test_env_example_sets_no_empty_values():
    """An empty value replaces the default instead of leaving it, breaking URLs and numbers."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    empty = re.findall(r"^([A-Z][A-Z0-9_]*)=[ \t]*$", text, flags=re.MULTILINE)
    assert not empty, f"comment these out instead: {empty}"


# --- Production settings ------------------------------------------------------------------------

LOAD_PRODUCTION = """
import environ
environ.Env.read_env = lambda *args, **kwargs: None  # ignore a developer's .env
import django
django.setup()
from django.conf import settings
print(settings.SECRET_KEY, settings.DEBUG)
"""


def load_production_settings(**extra):
    secrets = ("SECRET_KEY", "DJANGO_DEBUG", "ID_NUMBER_KEYS", "ID_NUMBER_HMAC_KEY")
    env = {k: v for k, v in os.environ.items() if k not in secrets}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", **extra)
    return subprocess.run(
        [sys.executable, "-c", LOAD_PRODUCTION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_load_without_secret_key():
    result = load_production_settings()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


ID_KEYS = {"ID_NUMBER_KEYS": "k1,k2", "ID_NUMBER_HMAC_KEY": "hmac-key"}


@pytest.mark.parametrize("missing", sorted(ID_KEYS))
def test_production_settings_refuse_to_load_without_identity_keys(missing):
    keys = {k: v for k, v in ID_KEYS.items() if k != missing}
    result = load_production_settings(SECRET_KEY="deploy-test-key", **keys)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_load_with_secret_key():
    result = load_production_settings(SECRET_KEY="deploy-test-key", DJANGO_DEBUG="True", **ID_KEYS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["deploy-test-key", "False"]  # DEBUG forced off


# --- The "city" profile -------------------------------------------------------------------------


def test_city_profile_scales_out_behind_a_proxy_and_pgbouncer(services):
    city = {name for name, service in services.items() if "city" in service.get("profiles", [])}
    assert city == {"pgbouncer", "web-city", "worker-city", "proxy"}
    # Exactly one beat in every profile: the city adds workers and web containers, no clock.
    beats = [name for name, service in services.items() if "beat" in command(service)[3:4]]
    assert beats == ["beat"]
    for name in ("web-city", "worker-city"):
        env = environment(services[name])
        assert env["DATABASE_URL"].startswith("postgres://linli:linli@pgbouncer:")
        assert env["DATABASE_TRANSACTION_POOLING"] == "true"
        assert services[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy"
    assert environment(services["pgbouncer"])["POOL_MODE"] == "transaction"
    assert environment(services["web-city"])["NUM_PROXIES"] == "1"
    assert command(services["web-city"])[:2] == ["gunicorn", "config.wsgi:application"]
    # The proxy sends everything to the web containers.
    proxy_config = services["proxy"]["volumes"][0].split(":")[0]
    assert "server web-city:8000" in (ROOT / proxy_config).read_text(encoding="utf-8")


def test_transaction_pooling_turns_off_server_side_cursors(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("DATABASE_TRANSACTION_POOLING", "true")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:6432/linli")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://u@replica:5432/linli")
    pooled = importlib.reload(base)
    try:
        assert pooled.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert pooled.DATABASES["replica"]["HOST"] == "replica"
        assert pooled.DATABASE_ROUTERS == ["core.db_router.ReplicaRouter"]
    finally:
        monkeypatch.undo()
        importlib.reload(base)


# --- check --deploy ---------------------------------------------------------------------------

DEPLOYMENT = {
    # As a real deployment sets them: a long random key, its hosts, HTTPS everywhere.
    "SECRET_KEY": "k" + "7f3Qz9-Lm2Vx8Rt4Wp6Yn1Hb5Jc0Gd" * 2,
    "ID_NUMBER_KEYS": "sUPEl3n5d1N8ZPp6g8r0eD9q4pF0m4c3Ck5V6xQ2yW0=",
    "ID_NUMBER_HMAC_KEY": "hmac-key",
    "ALLOWED_HOSTS": "linli.example.cn",
    "SECURE_SSL_REDIRECT": "True",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
    "SECURE_HSTS_PRELOAD": "True",
}


def check_deploy(**environment) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT and k != "DJANGO_DEBUG"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings_as_deployed():
    result = check_deploy(**DEPLOYMENT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_a_deployment_forgot():
    forgot = {k: v for k, v in DEPLOYMENT.items() if not k.startswith("SECURE_HSTS")}

    result = check_deploy(**forgot)

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
