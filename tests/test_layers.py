"""The floor plan of emcore: imports point down the layers and never go round in a circle.

Bottom to top: the foundations (validation, optional packages, results, transforms,
kernels), the driver (``emcore.em``), the accelerators (registered with the driver,
which never imports them), the models, the data sets, the command line, and the
package itself. Every import of one emcore module by another, at the top of a file or
inside a function, is read from the source; an import from a higher layer to a lower
one is fine, the other way round (or a cycle) fails the test. A new module must be
given its layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import emcore

ROOT = Path(emcore.__file__).parent

LAYERS = {
    "emcore._validation": 0,
    "emcore._optional": 0,
    "emcore.results": 0,
    "emcore.protocols": 0,
    "emcore.transforms": 0,
    "emcore._sequences": 0,
    "emcore._gmm_kernels": 0,
    "emcore._hmm_kernels": 0,
    "emcore.scale": 0,
    "emcore.em": 1,
    "emcore.accelerate": 2,
    "emcore.online": 2,
    "emcore.coins": 3,
    "emcore.gmm": 3,
    "emcore.hmm": 3,
    "emcore.haplotype": 3,
    "emcore.motif": 3,
    "emcore.datasets": 4,
    "emcore.cli": 5,
    "emcore": 6,
    "emcore.__main__": 6,
}
#: Packages whose modules all share the package's layer (a model split into modules by
#: concept stays one model; the subcommands of the command line are one layer).
PACKAGES = (
    "emcore.cli",
    "emcore.coins",
    "emcore.gmm",
    "emcore.hmm",
    "emcore.haplotype",
    "emcore.motif",
    "emcore.datasets",
)


def _module_name(path: Path) -> str:
    parts = ["emcore", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(name: str) -> int | None:
    for package in PACKAGES:
        if name.startswith(package + "."):
            return LAYERS[package]
    return LAYERS.get(name)


def _forwarding(tree: ast.Module) -> list[ast.AST]:
    """The bodies of a module-level ``__getattr__`` (PEP 562): names kept at an old address."""
    return [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "__getattr__"]


def _imports(path: Path, modules: set[str], forwarding: bool = False) -> set[str]:
    """The emcore modules ``path`` imports (relative imports resolved, submodules included).

    Imports inside a module-level ``__getattr__`` run only when someone asks for a name
    that moved to a higher layer (``emcore.motif.crp_sites`` now lives in
    :mod:`emcore.datasets`); they are left out, or, with ``forwarding=True``, the only
    ones returned.
    """
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    aliases = {id(n) for f in _forwarding(tree) for n in ast.walk(f)}
    found = set()
    for node in ast.walk(tree):
        if (id(node) in aliases) != forwarding:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                # `from . import coins` imports the module emcore.coins; `from . import CLIError`
                # (a name) and `from .em import fit_em` import the module named before `import`
                found.add(sub if sub in modules else target)
    return {m for m in found if m in modules and m != name}


def _graph(forwarding: bool = False) -> dict[str, set[str]]:
    paths = sorted(ROOT.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules, forwarding) for p in paths}


GRAPH = _graph()
FORWARDING = _graph(forwarding=True)
MODELS = {name for name in GRAPH if _layer(name) == 3}


def test_every_module_has_a_layer():
    missing = sorted(m for m in GRAPH if _layer(m) is None)
    assert not missing, f"give these modules a layer in tests/test_layers.py: {missing}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    upward = sorted(t for t in GRAPH[module] if (_layer(t) or 0) > (_layer(module) or 0))
    assert not upward, f"{module} (layer {_layer(module)}) imports higher layers: {upward}"


def test_forwarded_names_only_reach_the_data_sets():
    """A model may keep an old address for a data set that moved up to emcore.datasets."""
    bad = {
        m: sorted(t for t in ts if t != "emcore.datasets" and not t.startswith("emcore.datasets."))
        for m, ts in FORWARDING.items()
    }
    bad = {m: ts for m, ts in bad.items() if ts}
    assert not bad, f"module __getattr__ may only forward to emcore.datasets: {bad}"


def test_models_do_not_import_the_accelerators():
    """Models declare transforms; SQUAREM registers itself with the driver."""
    offenders = sorted(m for m in MODELS if "emcore.accelerate" in GRAPH[m])
    assert not offenders, offenders


def test_the_driver_knows_no_accelerator_module():
    assert "emcore.accelerate" not in GRAPH["emcore.em"]


def test_no_import_cycles():
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(GRAPH[node]):
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_the_graph_is_read_from_the_source():
    """A check that cannot fail is no check: the reader must see the known edges."""
    assert "emcore.results" in GRAPH["emcore.em"]
    assert {"emcore.em", "emcore.results", "emcore.transforms"} <= GRAPH["emcore.accelerate"]
    assert "emcore.transforms" in GRAPH["emcore.coins"]
    assert "emcore.accelerate" in GRAPH["emcore"]
