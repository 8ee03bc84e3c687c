"""The package's layers import downward only: no cycle in the import graph of minimem's modules, and no
import of a minimem module inside a function (the way a cycle is usually dodged)."""

import ast
import pathlib

import pytest

PKG = pathlib.Path(__file__).resolve().parents[1] / "minimem"


def _module_name(path):
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """(imported minimem module, at top level?) for every import in a module, relative ones resolved."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    in_function = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(f)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # "from . import x" imports the module x; "from .m import f" imports the module m
            targets = [f"{base}.{a.name}" for a in node.names] if not node.module else [base]
        else:
            continue
        for t in targets:
            if t == "minimem" or t.startswith("minimem."):
                out.append((t, id(node) not in in_function))
    return out


MODULES = {_module_name(p): p for p in PKG.rglob("*.py")}


def _resolve(target):
    """The module a name refers to: itself, or the module holding it (minimem.a.b -> minimem.a)."""
    while target not in MODULES and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def test_no_minimem_module_imports_another_inside_a_function():
    inside = [f"{name} imports {t}" for name, p in MODULES.items() for t, at_top in _imports(p) if not at_top]
    assert not inside, "function-level imports: " + "; ".join(inside)


def test_the_import_graph_has_no_cycle():
    graph = {name: {_resolve(t) for t, _ in _imports(p)} - {name} for name, p in MODULES.items()}
    # a package imports its own submodules; a submodule importing its package's siblings goes through
    # the package, so the edge submodule -> package is not followed (Python resolves it)
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                pytest.fail("import cycle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
