"""Who imports whom, read from the source with ast (nothing is imported or run).

`check_layers(root, packages, allowed)` lists what breaks the layering of `packages`
(top-level packages under `root`): an import from one package into another that is
not an allowed direction, and every import cycle between modules. Imports inside
functions count, since hiding an import in a function does not remove the cycle;
imports under `if TYPE_CHECKING:` do not, since they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

# (importer, imported): top-level package names, e.g. ("pulse", "connection").
Direction = tuple[str, str]
Graph = dict[str, set[str]]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterable[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def _named(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement imports: `from a import b` gives a.b, which
    is the module a.b or a name in a."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parent = module.split(".")
        # A package's own module is its __init__: `.` is the package itself.
        parent = parent[: len(parent) - node.level + (1 if is_package else 0)]
        base = ".".join([*parent, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest known module that `name` is or lies in (a.b.c: a.b.c, a.b or a)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def import_graph(root: Path, packages: Iterable[str], skip: Iterable[str] = ()) -> Graph:
    """Each module of `packages` -> the modules of `packages` it imports. Directories
    named in `skip` (e.g. "migrations") are left out."""
    paths = _source_files(root, packages, skip)
    modules = set(paths)
    graph: Graph = {}
    for module, path in paths.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), filename=str(path))
        targets = {
            _resolve(name, modules)
            for node in _import_nodes(tree)
            for name in _named(node, module, is_package)
        }
        graph[module] = targets - {module, None}
    return graph


def _source_files(root: Path, packages: Iterable[str], skip: Iterable[str]) -> dict[str, Path]:
    skipped = set(skip)
    return {
        module_name(path, root): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
        if not skipped & set(path.relative_to(root).parts[:-1])
    }


def imports_inside_functions(
    root: Path, packages: Iterable[str], skip: Iterable[str] = ()
) -> list[str]:
    """`module:line` of every import statement inside a function of `packages`: where a
    cycle usually hides (a module that needs a late import says why in a comment and is
    listed by the caller as an exception)."""
    found = []
    for module, path in _source_files(root, packages, skip).items():
        for function in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                found += [
                    f"{module}:{node.lineno}"
                    for node in _import_nodes(function)
                    if node is not function
                ]
    return sorted(set(found))


def cycles(graph: Graph) -> list[list[str]]:
    """The import cycles: groups of modules that import each other, directly or round
    a loop (strongly connected components, Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def check_layers(
    root: Path,
    packages: Iterable[str],
    allowed: set[Direction],
    skip: Iterable[str] = (),
    wiring: Iterable[str] = (),
) -> list[str]:
    """What breaks the layering, one line each: an import between two of `packages` in
    a direction not in `allowed`, and every import cycle among their modules. Modules
    named in `wiring` (the root URLconf) may import any package; they still count for
    cycles."""
    graph = import_graph(root, packages, skip)
    free = set(wiring)
    problems = [
        f"{module} imports {target}: {module.split('.')[0]} may not import {target.split('.')[0]}"
        for module, targets in sorted(graph.items())
        if module not in free
        for target in sorted(targets)
        if module.split(".")[0] != target.split(".")[0]
        and (module.split(".")[0], target.split(".")[0]) not in allowed
    ]
    problems += [f"import cycle: {' <-> '.join(group)}" for group in cycles(graph)]
    return problems
