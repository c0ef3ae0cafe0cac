"""The apps depend on each other in one direction, read from the code itself (every ``import``
anywhere in a module, also inside functions, found with ``ast``):

    core ← notifications ← centers ← members ← bookings ← services ← workspace
                                             ↖ community

An app imports only the apps below it: ``core`` and ``notifications`` import no domain app
(the domain apps register what they own with them), and no two apps import each other, however
indirectly. A new app takes its place in ``LAYERS`` (and README's Architecture section)."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Each app with the apps it may import (the layers below it).
LAYERS: dict[str, set[str]] = {
    "core": set(),
    "notifications": {"core"},
    "centers": {"core", "notifications"},
    "members": {"core", "notifications", "centers"},
    "bookings": {"core", "notifications", "centers", "members"},
    "services": {"core", "notifications", "centers", "members", "bookings"},
    "community": {"core", "notifications", "centers", "members"},
    "workspace": {"core", "notifications", "centers", "members", "bookings", "services"},
}
DOMAIN = {"centers", "members", "bookings", "services", "community", "workspace"}


def project_apps() -> set[str]:
    return {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == ROOT and "." not in config.name
    }


def module_imports(path: Path) -> set[str]:
    """The top-level packages ``path`` imports, wherever the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


def imports_of(app: str) -> dict[str, set[str]]:
    """The other project apps each module of ``app`` imports (migrations aside: they name
    other apps in their dependencies, not by importing them)."""
    known = project_apps() - {app}
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts and (used := module_imports(path) & known):
            found[str(path.relative_to(ROOT))] = used
    return found


def test_every_app_has_its_place() -> None:
    assert project_apps() == set(LAYERS)


def test_each_app_imports_only_the_layers_below_it() -> None:
    wrong = {
        module: sorted(used - LAYERS[app])
        for app in LAYERS
        for module, used in imports_of(app).items()
        if used - LAYERS[app]
    }
    assert wrong == {}


def test_core_and_notifications_import_no_domain_app() -> None:
    for app in ("core", "notifications"):
        for module, used in imports_of(app).items():
            assert not used & DOMAIN, (module, sorted(used & DOMAIN))


def test_no_two_apps_import_each_other() -> None:
    graph = {app: set().union(*imports_of(app).values()) for app in LAYERS}
    circles = []

    def visit(app: str, path: list[str]) -> None:
        for other in sorted(graph[app]):
            if other in path:
                circles.append([*path[path.index(other) :], other])
            else:
                visit(other, [*path, other])

    for app in graph:
        visit(app, [app])
    assert circles == []


def test_the_walk_sees_every_kind_of_import(tmp_path) -> None:
    # The checks above must be able to fail: an import inside a function counts too.
    module = tmp_path / "lazy.py"
    module.write_text(
        "import centers.models\n"
        "from . import sibling\n"
        "def f():\n"
        "    from bookings.models import Booking\n"
        "    import services.rules as rules\n"
        "    return Booking, rules\n"
    )
    assert module_imports(module) == {"centers", "bookings", "services"}
