"""No test asserts only inside loops: a loop over an empty collection (or a `while` whose condition
is false at once) would pass while asserting nothing. Each such test must also assert something
outside its loops (that the collection holds what it should), unless it loops over a literal that
cannot be empty, or `while True`."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
Function = ast.FunctionDef | ast.AsyncFunctionDef
_CONSTANT_NODES = (ast.Constant, ast.UnaryOp, ast.BinOp, ast.unaryop, ast.operator)


def _literal_names(function: Function) -> frozenset[str]:
    """Names the test binds once only, to a non-empty list, tuple or set display (`cases = [...]`)."""
    stores = Counter(
        n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    )
    displays = {
        target.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(target := node.targets[0] if isinstance(node, ast.Assign) else node.target, ast.Name)
        and isinstance(node.value, ast.List | ast.Tuple | ast.Set)
        and node.value.elts
    }
    return frozenset(name for name in displays if stores[name] == 1)


def _never_empty(iterable: ast.expr, literals: frozenset[str]) -> bool:
    """A non-empty literal display or string (or a name bound to one), or range() over constants
    with at least one value."""
    if isinstance(iterable, ast.Name):
        return iterable.id in literals
    if isinstance(iterable, ast.List | ast.Tuple | ast.Set):
        return bool(iterable.elts)
    if isinstance(iterable, ast.Constant):
        return isinstance(iterable.value, str | bytes) and bool(iterable.value)
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id == "range"
        and not iterable.keywords
        and all(isinstance(n, _CONSTANT_NODES) for arg in iterable.args for n in ast.walk(arg))
    ):
        bounds = [eval(compile(ast.Expression(arg), "<range>", "eval")) for arg in iterable.args]
        return len(range(*bounds)) > 0
    return False


def _asserts_run_always(
    node: ast.AST, literals: frozenset[str], inside_unchecked: bool = False
) -> list[bool]:
    """For each assert under `node`: True unless a loop that may run zero times encloses it."""
    if isinstance(node, ast.Assert):
        return [not inside_unchecked]
    if isinstance(node, ast.For | ast.AsyncFor) and not _never_empty(node.iter, literals):
        inside_unchecked = True
    if isinstance(node, ast.While) and not (isinstance(node.test, ast.Constant) and node.test.value):
        inside_unchecked = True
    return [
        always
        for child in ast.iter_child_nodes(node)
        for always in _asserts_run_always(child, literals, inside_unchecked)
    ]


def asserts_only_in_loops(function: Function) -> bool:
    """The test asserts, and every assert sits in a loop that may run zero times."""
    always = _asserts_run_always(function, _literal_names(function))
    return bool(always) and not any(always)


def scan(source: str) -> list[str]:
    """`name:line` for each test function (test_*) that asserts only inside unchecked loops."""
    return [
        f"{node.name}:{node.lineno}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test")
        and asserts_only_in_loops(node)
    ]


def test_a_test_asserting_only_in_a_loop_is_found() -> None:
    source = """
def test_a(xs):
    for x in xs:
        assert x

def test_b():
    for t in range(5, 5):
        assert t

def test_c(xs):
    for x in xs:
        for y in (1, 2):
            assert x < y

def test_d(xs):
    cases = [1]
    cases = xs
    for x in cases:
        assert x

def test_e(xs):
    while xs:
        assert xs.pop()
"""
    assert scan(source) == ["test_a:2", "test_b:6", "test_c:10", "test_d:15", "test_e:21"]


def test_an_assert_about_the_collection_or_a_literal_loop_is_enough() -> None:
    source = """
def test_a(xs):
    assert len(xs) == 2
    for x in xs:
        assert x

def test_b():
    for x in (1, 2):
        assert x
    for t in range(-1, 10**2, 7):
        assert t
    cases = [(1, 2)]
    for a, b in cases:
        assert a < b
    while True:
        assert cases
        break

def check(xs):
    for x in xs:
        assert x
"""
    assert scan(source) == []


def test_no_test_in_the_suite_asserts_only_inside_loops() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 100, TESTS
    found = [f"{path.relative_to(TESTS)}:{hit}" for path in files for hit in scan(path.read_text())]
    assert found == [], "assert something about what these loop over:\n" + "\n".join(found)
