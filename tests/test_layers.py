"""The rooms of server/ point one way (STYLE.md "Layers, one way"): the layers contract in
pyproject.toml ([tool.importlinter]) holds, and no module imports itself round a circle —
imports inside functions counted, which is where circles hide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from server.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("server", include_external_packages=False, cache_dir=None)


def circles(graph) -> list[list[str]]:
    """The strongly connected groups of modules (Tarjan), each a circle of imports."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_imports_inside_functions_are_seen(graph):
    # storage opens the S3 store only when asked (boto3 loads where it is used): an import in a
    # function, which the graph must hold or the circles below would go unseen
    assert "server.photos.s3" in graph.find_modules_directly_imported_by("server.photos.storage")


def test_no_module_imports_itself_round_a_circle(graph):
    assert circles(graph) == []


def test_the_rooms_keep_their_layers():
    # in a process of its own: import-linter, run in this one, silences the app's loggers for the
    # tests after it
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter), "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout
