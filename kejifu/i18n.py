"""The one label catalogue: Chinese first, English second.

Labels live in ``kejifu/catalogue/*.yaml`` (one file per area of the interface,
so that modules can add their own); together they form one catalogue with one
namespace: a key may be defined in one file only (a test checks this).

Each entry is ``key: {zh: ..., en: ...}``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

LANGS = ("zh", "en")
#: libyaml's safe loader when installed (the catalogue is read on every command: ~10× faster)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every label, merged from all catalogue files; raises on a duplicate key."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    folder = resources.files("kejifu") / "catalogue"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for key, value in data.items():
            if key in merged:
                raise ValueError(f"标签重复定义 / duplicate label {key!r} in {entry.name} and {origin[key]}")
            merged[key] = value
            origin[key] = entry.name
    return merged


def t(key: str, lang: str = "zh", **fmt) -> str:
    """The label ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``fmt``.

    An unknown key raises ``KeyError`` so that typos fail in tests, not on screen.
    """
    entry = catalogue()[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**fmt) if fmt else text


def both(key: str, **fmt) -> str:
    """``中文 / English`` for messages shown to everybody (CLI, errors)."""
    return f"{t(key, 'zh', **fmt)} / {t(key, 'en', **fmt)}"
