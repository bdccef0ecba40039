"""An explanation's folder: ``explain.json`` and its charts, written atomically; and reading it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The file that holds every result of ``cxsim explain``.
FILE = "explain.json"
#: The explanation of a results folder ``results/NAME`` lives beside it in ``results/NAME-explain``.
SUFFIX = "-explain"


def default_folder(scenario_name: str) -> Path:
    return Path("results") / f"{scenario_name}{SUFFIX}"


def cache_folder(out: Path, method: str) -> Path:
    """Where one method's finished runs wait (resumable) until the whole folder is written."""
    return out.parent / f".{out.name}.{method}.runs"


def write(explanation: dict[str, Any], out: Path, charts: bool = True, force: bool = False) -> Path:
    """``explain.json`` and the charts (PNG and SVG) in ``out``, appearing complete or not at all."""
    from ..experiment.output import publish

    def fill(tmp: Path) -> None:
        (tmp / FILE).write_text(json.dumps(explanation, indent=1, default=_plain) + "\n", encoding="utf-8")
        if charts:
            from ..charts.explain import draw_all
            from ..charts.style import save
            for name, (fig, _) in draw_all(explanation).items():
                for fmt in ("png", "svg"):
                    save(fig, tmp / "charts" / f"{name}.{fmt}")

    return publish(Path(out), "explain", str(explanation.get("scenario", "")), fill, force)


def load(folder: str | Path) -> dict[str, Any] | None:
    """The explanation in ``folder`` (an explain folder, or a results folder with one beside it), or None."""
    folder = Path(folder)
    for candidate in (folder / FILE, folder.parent / f"{folder.name}{SUFFIX}" / FILE):
        if candidate.is_file():
            return json.loads(candidate.read_text(encoding="utf-8"))
    return None


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(type(value))
