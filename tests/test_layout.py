"""The layout shows the architecture: checked on the import graph, read from the source (nothing is imported).

Every import counts — module level, inside functions and under ``if TYPE_CHECKING:`` — because a circle that
only closes at call time is still a circle a reader has to untangle, and a "lazy" import of the widgets from
the engine is still a dependency of the engine on Jupyter. Relative imports are resolved; importing
``pkg.sub.mod`` also imports ``pkg`` and ``pkg.sub`` (Python runs their ``__init__``), so those count as edges.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

# installed name -> source directory (pyproject's package-dir mapping)
PACKAGES = {"transkript_kernel": ROOT / "transkript_kernel", "transkript_widgets": ROOT / "widgets"}
# the repo-root name of the widgets package, used by the notebooks before installation
ALIASES = {"widgets": "transkript_widgets"}


def _modules() -> dict[str, Path]:
    """Dotted name -> file for every module of the engine and the widgets."""
    found = {}
    for package, directory in PACKAGES.items():
        for path in sorted(directory.rglob("*.py")):
            rel = path.relative_to(directory).with_suffix("")
            parts = [package, *rel.parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _canonical(name: str) -> str:
    head, _, rest = name.partition(".")
    head = ALIASES.get(head, head)
    return f"{head}.{rest}" if rest else head


def _with_parents(name: str) -> set[str]:
    """``a.b.c`` -> {a, a.b, a.b.c}: importing a submodule runs every package ``__init__`` above it."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _targets(module: str, node: ast.AST) -> set[str]:
    """The modules of ours one import statement loads (possibly none)."""
    names: set[str] = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            names.add(_canonical(alias.name))
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            package = module if _is_package(module) else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{node.module}" if node.module else package
        else:
            base = _canonical(node.module or "")
        names.add(base)
        for alias in node.names:  # ``from . import x`` / ``from .pkg import sub``: x is a module when it is one
            if f"{base}.{alias.name}" in MODULES:
                names.add(f"{base}.{alias.name}")
    edges = set()
    for name in names:
        for candidate in _with_parents(name):
            if candidate in MODULES:
                edges.add(candidate)
    return edges


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports anywhere in its body (self-edges dropped)."""
    return {module: imports_in(module, path.read_text(encoding="utf-8")) - {module}
            for module, path in MODULES.items()}


def imports_in(module: str, source: str) -> set[str]:
    """Every module of ours that ``source`` (the text of ``module``) imports, wherever the import stands."""
    edges: set[str] = set()
    for node in ast.walk(ast.parse(source)):  # walk: function bodies and ``if TYPE_CHECKING:`` blocks included
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            edges |= _targets(module, node)
    return edges


def _parents_closure(module: str) -> set[str]:
    """The packages above ``module`` (their ``__init__`` runs before it)."""
    return _with_parents(module) - {module}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as ``[a, b, ..., a]``, or None. A submodule's import of the package above it is
    ignored: Python runs the package ``__init__`` first, so that edge is always there and closes no circle a
    reader could remove — unless the ``__init__`` imports the submodule back through something else."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = grey
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt in _parents_closure(node):
                continue  # an __init__ above this module (see docstring)
            if colour[nxt] == grey:
                return stack[stack.index(nxt):] + [nxt]
            if colour[nxt] == white:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = black
        return None

    for start in sorted(graph):
        if colour[start] == white:
            found = visit(start)
            if found:
                return found
    return None


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_the_graph_sees_every_kind_of_import(graph):
    # guards against a resolver that silently finds nothing: these edges are known to exist
    assert "transkript_kernel.extractive.analyser" in graph["transkript_kernel.extractive.actions"]
    assert "transkript_kernel.casefile.archive" in graph["transkript_kernel.archive"]
    assert "transkript_kernel.casefile" in graph["transkript_kernel.archive"]  # the package __init__ runs first
    assert "transkript_kernel.errors" in graph["transkript_kernel.audio"]
    assert any(m.startswith("transkript_kernel") for m in graph["transkript_widgets.app"])


def test_resolver_on_a_made_up_module():
    module = "transkript_kernel.extractive.actions"
    stmt = ast.parse("from . import analyser\nfrom ..casefile import store\nfrom .. import summary\n"
                     "import transkript_kernel.extractive.topics\nfrom widgets import ui\n").body
    found = set().union(*(_targets(module, node) for node in stmt))
    assert {"transkript_kernel.extractive.analyser", "transkript_kernel.casefile.store",
            "transkript_kernel.summary", "transkript_kernel.extractive.topics", "transkript_kernel.extractive",
            "transkript_kernel.casefile", "transkript_kernel", "transkript_widgets.ui",
            "transkript_widgets"} <= found


def test_function_level_and_type_checking_imports_count():
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from .asr import AsrSettings\n"
              "def f():\n    from . import speakers\n    import transkript_kernel.summarize\n")
    assert imports_in("transkript_kernel.audio", source) >= {
        "transkript_kernel.asr", "transkript_kernel.speakers", "transkript_kernel.summarize"}


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_engine_never_imports_the_widgets(graph):
    offenders = {m: sorted(e for e in edges if e.startswith("transkript_widgets"))
                 for m, edges in graph.items() if m.startswith("transkript_kernel")}
    offenders = {m: e for m, e in offenders.items() if e}
    assert not offenders, f"engine modules importing the widgets: {offenders}"


def test_the_app_notebook_is_written_by_the_engine_without_importing_widgets():
    """The engine names the widgets only inside the notebook cells it writes (strings), never imports them."""
    writers = [p for p in (ROOT / "transkript_kernel").rglob("*.py") if "app.ipynb" in p.read_text(encoding="utf-8")]
    assert writers, "no engine module mentions notebooks/app.ipynb"
    for path in writers:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] in ("widgets", "transkript_widgets") for a in node.names), path
            if isinstance(node, ast.ImportFrom) and not node.level:
                assert (node.module or "").split(".")[0] not in ("widgets", "transkript_widgets"), path


CASEFILE_FORBIDDEN = ("asr", "audio", "weights", "diarize", "speakers", "summarize", "extractive", "llm",
                      "pipeline", "report", "batch", "neutrality", "coverage", "translate", "promptlab")


def test_the_case_file_runs_no_model(graph):
    """The case file stores and reads; the workflow that feeds it (``pipeline``) is the one that runs models."""
    forbidden = {f"transkript_kernel.{name}" for name in CASEFILE_FORBIDDEN}
    offenders = {}
    for module in graph:
        if module == "transkript_kernel.casefile" or module.startswith("transkript_kernel.casefile."):
            bad = {m for m in _reaches(graph, module) if any(m == f or m.startswith(f + ".") for f in forbidden)}
            if bad:
                offenders[module] = sorted(bad)
    assert not offenders, f"case-file modules reaching model code: {offenders}"
