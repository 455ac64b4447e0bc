"""The import rules: config wires apps and imports none; apps import downwards only
(exchange → moderation → comments → articles → accounts → core); no app imports
config's API or Celery modules; no modules of one app import each other in a circle.

Every import counts, at module level or inside a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "accounts", "articles", "comments", "moderation", "exchange"]
# Beside the layers: health reads only core and Django.
SIDE_APPS = {"health": {"core"}}
APPS = [*LAYERS, *SIDE_APPS]


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> set[str]:
    """Every module `module` imports, absolute, anywhere in its code."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _allowed(app: str) -> set[str]:
    if app in SIDE_APPS:
        return SIDE_APPS[app] | {app}
    return set(LAYERS[: LAYERS.index(app) + 1])


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = []
    for module, path in _modules(app).items():
        for name in _imports(module, path):
            top = name.split(".")[0]
            if top in APPS and top not in _allowed(app):
                wrong.append(f"{module} imports {name}")
    assert wrong == []


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_config(app):
    wrong = [
        f"{module} imports {name}"
        for module, path in _modules(app).items()
        for name in _imports(module, path)
        if name == "config" or name.startswith("config.")
    ]
    assert wrong == []


def test_config_imports_no_app():
    wrong = [
        f"{module} imports {name}"
        for module, path in _modules("config").items()
        for name in _imports(module, path)
        if name.split(".")[0] in APPS
    ]
    assert wrong == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt] if nxt in trail else [nxt]
            if nxt not in state and (found := visit(nxt, [*trail, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


@pytest.mark.parametrize("app", APPS)
def test_the_modules_of_an_app_import_each_other_in_no_circle(app):
    modules = _modules(app)
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in _imports(module, path):
            # "from . import services" names the module; "from .x import y" the
            # module x; the package itself (__init__) is left out.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and name != app:
                targets.add(name)
        graph[module] = targets
    assert _cycle(graph) is None


def test_the_rule_catches_a_circle():
    assert _cycle({"a.x": {"a.y"}, "a.y": {"a.x"}}) == ["a.x", "a.y", "a.x"]
    assert _cycle({"a.x": {"a.y"}, "a.y": set()}) is None
