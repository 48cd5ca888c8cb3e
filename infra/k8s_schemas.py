"""Builds the JSON schemas kubeconform validates pollwatch's manifests against, offline.

kubeconform normally downloads them; here they come from packages the registries serve:

  builtin SRC OUT   Kubernetes' own kinds, from the kubernetes-validate wheel (PyPI). Its files
                    share one _definitions.json through absolute $refs that kubeconform cannot
                    follow, so each kind is written standalone with the definitions it needs.
  crd OUT FILE...   Operators' CustomResourceDefinitions (YAML) as kubeconform's
                    {group}/{kind}_{version}.json; objects that list properties reject unknown
                    fields (as kubeconform's openapi2jsonschema does), so a misspelt key fails.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

DEFINITIONS = "_definitions.json"
SKIP = {DEFINITIONS, "all.json"}


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads a bare `=` (YAML 1.1's value tag, found in enums) as the string."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def _refs(node: Any) -> set[str]:
    """The definition names a schema fragment refers to."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and "#/$defs/" in ref:
            found.add(ref.split("#/$defs/", 1)[1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _localise(node: Any) -> Any:
    """Rewrites every $ref to point inside the document itself."""
    if isinstance(node, dict):
        out = {k: _localise(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and "#/$defs/" in ref:
            out["$ref"] = "#/$defs/" + ref.split("#/$defs/", 1)[1]
        return out
    if isinstance(node, list):
        return [_localise(v) for v in node]
    return node


def standalone(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the transitive closure of the definitions it uses embedded under $defs."""
    needed: set[str] = set()
    todo = list(_refs(schema))
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        todo.extend(_refs(definitions[name]) - needed)
    out = {k: v for k, v in schema.items() if k != "$id"}
    out["$defs"] = {name: definitions[name] for name in sorted(needed)}
    return dict(_localise(out))


def build_builtin(src: Path, out: Path) -> int:
    definitions = json.loads((src / DEFINITIONS).read_text())["$defs"]
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(src.glob("*.json")):
        if path.name in SKIP:
            continue
        schema = json.loads(path.read_text())
        (out / path.name).write_text(json.dumps(standalone(schema, definitions)))
        count += 1
    return count


def _strict(node: Any) -> Any:
    """Closes every object schema that lists its properties, and maps int-or-string."""
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if out.get("x-kubernetes-int-or-string"):
            out.pop("type", None)
            out["oneOf"] = [{"type": "string"}, {"type": "integer"}]
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


def build_crds(out: Path, files: list[Path]) -> int:
    count = 0
    for path in files:
        for doc in yaml.load_all(path.read_text(), Loader=_Loader):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            group, kind = spec["group"], spec["names"]["kind"].lower()
            for version in spec["versions"]:
                schema = version.get("schema", {}).get("openAPIV3Schema")
                if schema is None:
                    continue
                target = out / group / f"{kind}_{version['name']}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(_strict(schema)))
                count += 1
    return count


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "builtin":
        print(f"{build_builtin(Path(argv[1]), Path(argv[2]))} Kubernetes schemas -> {argv[2]}")
        return 0
    if len(argv) >= 3 and argv[0] == "crd":
        count = build_crds(Path(argv[1]), [Path(a) for a in argv[2:]])
        print(f"{count} CRD schemas -> {argv[1]}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
