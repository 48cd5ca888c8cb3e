"""The GraphQL documents in the dashboard's TypeScript sources, read with a real TypeScript parser.

A document is a string or template literal that starts with `query`, `mutation`, `subscription` or
`fragment`. `${NAME}` inside it is replaced by the literal the constant NAME holds (in the same file
first, else in any other file); anything else interpolated cannot be checked, and is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser

WEB_SOURCES = Path(__file__).resolve().parents[2] / "web" / "src"
_LANGUAGES = {
    ".ts": Language(tree_sitter_typescript.language_typescript()),
    ".tsx": Language(tree_sitter_typescript.language_tsx()),
}
_DOCUMENT = re.compile(r"\s*(query|mutation|subscription|fragment)\b")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_LITERALS = ("string", "template_string")


@dataclass(frozen=True)
class Document:
    path: Path
    line: int
    text: str


class UncheckableDocumentError(Exception):
    """A document interpolates something other than a constant holding a literal."""


@dataclass(frozen=True)
class _Source:
    path: Path
    tree_root: Node
    constants: dict[str, Node]  # const NAME = <string or template literal>


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _text(node: Node) -> str:
    return (node.text or b"").decode()


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), raw, flags=re.DOTALL)


def _read(path: Path) -> _Source:
    root = Parser(_LANGUAGES[path.suffix]).parse(path.read_bytes()).root_node
    constants = {
        _text(name): value
        for node in _walk(root)
        if node.type == "variable_declarator"
        and (name := node.child_by_field_name("name")) is not None
        and (value := node.child_by_field_name("value")) is not None
        and value.type in _LITERALS
    }
    return _Source(path, root, constants)


class _Resolver:
    def __init__(self, sources: list[_Source]) -> None:
        self.sources = sources

    def constant(self, name: str, near: _Source) -> tuple[Node, _Source] | None:
        if name in near.constants:
            return near.constants[name], near
        found = [(s.constants[name], s) for s in self.sources if name in s.constants]
        return found[0] if len(found) == 1 else None

    def value(self, literal: Node, source: _Source, seen: frozenset[str] = frozenset()) -> str:
        """The literal's string value with every `${CONSTANT}` filled in."""
        raw, base = literal.text or b"", literal.start_byte
        parts: list[str] = []
        at = 1  # past the opening quote or backtick
        for child in literal.children:
            if child.type == "template_substitution":
                parts.append(_unescape(raw[at : child.start_byte - base].decode()))
                parts.append(self._substitution(child, source, seen))
                at = child.end_byte - base
        parts.append(_unescape(raw[at:-1].decode()))
        return "".join(parts)

    def _substitution(self, node: Node, source: _Source, seen: frozenset[str]) -> str:
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) == 1 and inner[0].type == "identifier" and _text(inner[0]) not in seen:
            name = _text(inner[0])
            found = self.constant(name, source)
            if found is not None:
                return self.value(found[0], found[1], seen | {name})
        raise UncheckableDocumentError(
            f"{source.path}:{node.start_point[0] + 1}: interpolates `{_text(node)}`, "
            "not a constant holding a literal"
        )


def documents(root: Path = WEB_SOURCES) -> list[Document]:
    """Every GraphQL document under `root` (.ts and .tsx), in file order."""
    sources = [_read(p) for p in sorted(root.rglob("*")) if p.suffix in _LANGUAGES]
    resolver = _Resolver(sources)
    found: list[Document] = []
    for source in sources:
        for node in _walk(source.tree_root):
            if node.type in _LITERALS and _DOCUMENT.match(_text(node)[1:]):
                text = resolver.value(node, source)
                found.append(Document(source.path, node.start_point[0] + 1, text))
    return found
