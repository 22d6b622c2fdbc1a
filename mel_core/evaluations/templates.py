"""The evaluation templates and the parameters each declares.

A template is ``notebooks/templates/<name>.ipynb`` (packaged as ``mel_core/_templates`` in a wheel) with one code
cell tagged ``parameters`` whose lines are annotated assignments, ``name: type = default  # help``. The type is
one of ``str``, ``int``, ``float``, ``bool`` or ``list[str]``, each possibly optional (``float | None``). The
runner validates what a user passes against these declarations before anything runs: an unknown name or a value
of the wrong type is an error.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mel_core.config import PACKAGE_DIR
from mel_core.errors import MelError
from mel_core.i18n import message
from mel_core.vocabulary import CRITERIA

#: The templates, in the order they run: the six criteria, then the synthesis.
TEMPLATE_NAMES = (*CRITERIA, "synthesis")
#: Parameters every template declares; the runner sets them itself.
COMMON = ("db_url", "programme", "evaluation_id", "period_start", "period_end", "lang")
TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool, "list[str]": list}
#: Each type may also be optional (``float | None``): an empty value or ``none`` on the command line is None.
OPTIONAL = " | None"


class ParameterError(MelError):
    """Parameters do not match what the templates declare (unknown name, wrong type) or a template is unusable."""

    exit_code = 64  # EX_USAGE

    def __init__(self, message: str, problems: list[str] | None = None, hint: str = "") -> None:
        super().__init__(message, hint)
        self.problems = problems or []


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a template."""

    name: str
    type: str
    default: Any
    help: str = ""


def templates_dir() -> Path:
    """``notebooks/templates/`` of the source tree, or its packaged copy in a wheel."""
    packaged = PACKAGE_DIR / "_templates"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "notebooks" / "templates"


def template_path(name: str, folder: Path | None = None) -> Path:
    """The file of template ``name`` (a criterion or ``synthesis``)."""
    if name not in TEMPLATE_NAMES:
        raise ParameterError(
            message("evaluations.templates.unknown_template", name=name),
            hint=message("evaluations.templates.unknown_template_hint", names=", ".join(TEMPLATE_NAMES)),
        )
    return (folder or templates_dir()) / f"{name}.ipynb"


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (a template's identity in the provenance record)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parameters_source(path: Path) -> str:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ParameterError(
            message("evaluations.templates.unreadable", path=path, error=exc),
            hint=message("evaluations.templates.unreadable_hint"),
        ) from exc
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else str(source)
    raise ParameterError(
        message("evaluations.templates.no_parameters_cell", path=path),
        hint=message("evaluations.templates.no_parameters_cell_hint"),
    )


@cache
def _declared(path: Path, mtime: float) -> dict[str, Parameter]:
    source = _parameters_source(path)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(
            message("evaluations.templates.bad_parameters_cell", path=path, error=exc)
        ) from exc
    lines = source.splitlines()
    out: dict[str, Parameter] = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None
        ):
            raise ParameterError(
                message(
                    "evaluations.templates.bad_parameter_line", path=path, line=getattr(node, "lineno", "?")
                )
            )
        kind = ast.unparse(node.annotation)
        if kind.removesuffix(OPTIONAL) not in TYPES:
            raise ParameterError(
                message(
                    "evaluations.templates.bad_parameter_type",
                    path=path,
                    name=node.target.id,
                    kind=kind,
                    types=", ".join(TYPES),
                )
            )
        default = ast.literal_eval(node.value)
        comment = lines[node.lineno - 1].partition("#")[2].strip()
        out[node.target.id] = Parameter(node.target.id, kind, default, comment)
    missing = [name for name in COMMON if name not in out]
    if missing:
        raise ParameterError(
            message("evaluations.templates.missing_parameters", path=path, missing=", ".join(missing))
        )
    return out


def declared_parameters(path: Path) -> dict[str, Parameter]:
    """The parameters ``path`` declares, by name, in the order written."""
    return _declared(path, path.stat().st_mtime)


def coerce(parameter: Parameter, value: Any) -> Any:
    """``value`` as the parameter's type; text from the command line is parsed (``list[str]``: comma-separated).

    Raises:
        ValueError: the value does not fit the type (the message says why).
    """
    kind = parameter.type
    if kind.endswith(OPTIONAL):
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
            return None
        kind = kind.removesuffix(OPTIONAL)
    if isinstance(value, str) and kind != "str":
        text = value.strip()
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            lowered = text.lower()
            if lowered in ("true", "1", "yes"):
                return True
            if lowered in ("false", "0", "no"):
                return False
            raise ValueError(f"expected true or false, got {value!r}")
        return [part.strip() for part in text.split(",") if part.strip()]
    expected = TYPES[kind]
    if kind in ("int", "float") and isinstance(value, bool):
        raise ValueError(f"expected {kind}, got a boolean")
    if kind == "float" and isinstance(value, int):
        return float(value)
    if not isinstance(value, expected):
        raise ValueError(f"expected {kind}, got {type(value).__name__} {value!r}")
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of text, got {value!r}")
    return value


def validate(templates: dict[str, Path], params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check ``params`` against the templates' declarations; return each template's own parameters.

    A name is known when at least one of the templates declares it; each template receives the names it declares.
    Every problem is collected before raising :class:`ParameterError`.
    """
    declared = {name: declared_parameters(path) for name, path in templates.items()}
    problems: list[str] = []
    out: dict[str, dict[str, Any]] = {name: {} for name in templates}
    for key, value in params.items():
        owners = [name for name, decl in declared.items() if key in decl]
        if not owners:
            known = sorted({p for decl in declared.values() for p in decl})
            problems.append(message("evaluations.templates.undeclared", key=key, known=", ".join(known)))
            continue
        for owner in owners:
            try:
                out[owner][key] = coerce(declared[owner][key], value)
            except ValueError as exc:
                problems.append(
                    message(
                        "evaluations.templates.wrong_type",
                        key=key,
                        value=value,
                        owner=owner,
                        type=declared[owner][key].type,
                        error=exc,
                    )
                )
                break
    if problems:
        raise ParameterError(
            message("evaluations.templates.problems", n=len(problems)),
            problems,
            hint=message("evaluations.templates.problems_hint"),
        )
    return out
