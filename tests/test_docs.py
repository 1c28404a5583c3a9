"""docs/internals.md cannot drift: it is what scripts/internals.py writes from the package today.

The generator is tried on toy packages first (summaries, public names, re-exports, layer order, a file
that does not parse), then the real page is compared with its output and its names with the modules.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import re
import sys
import textwrap

import pytest

from kejifu import config

ROOT = config.repo_root()
PAGE = ROOT / "docs" / "internals.md"


def load_generator():
    spec = importlib.util.spec_from_file_location("internals_generator", ROOT / "scripts" / "internals.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


gen = load_generator()


def write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


# ----- the generator, on toy packages ---------------------------------------------------------------


def test_a_summary_is_the_first_paragraph_of_the_docstring_on_one_line():
    doc = "Status: where each target stands\nas of a date.\n\nThe contract: ...\n"
    assert gen.summary_of(doc) == "Status: where each target stands as of a date."
    assert gen.summary_of(None) == ""


def test_public_names_are_the_top_level_definitions_without_underscore_and_without_imports(tmp_path):
    write(
        tmp_path,
        {
            "units.py": '''\
                """Units: parse and convert.

                More text.
                """
                from pathlib import Path
                import numpy as np

                KINDS = ("area", "money")
                limit: int = 3
                _cache = {}

                class Quantity:
                    def inner(self): ...

                def convert(value): ...

                def _private(): ...
                ''',
        },
    )
    mod = gen.read_module(tmp_path / "units.py", "toy.units")
    assert mod.summary == "Units: parse and convert."
    assert mod.names == ["`KINDS`", "`limit`", "`Quantity`", "`convert()`"]


def test_a_literal_all_decides_the_public_names_and_reexports_keep_their_kind(tmp_path):
    write(
        tmp_path,
        {
            "pkg/__init__.py": '''\
                """A family."""
                from .engine import Store, open_store, _hidden
                from .extra import *

                __all__ = ["open_store", "Store"]
                ''',
            "pkg/engine.py": "class Store: ...\ndef open_store(): ...\ndef _hidden(): ...\n",
            "pkg/extra.py": "X = 1\n",
        },
    )
    mod = gen.read_module(tmp_path / "pkg" / "__init__.py", "toy.pkg")
    assert mod.names == ["`open_store()`", "`Store`"]


def test_an_init_without_all_lists_its_reexports_and_says_what_a_star_takes(tmp_path):
    write(
        tmp_path,
        {
            "pkg/__init__.py": '"""A family."""\nfrom .engine import Store, open_store\n'
            "from .extra import *\n",
            "pkg/engine.py": "class Store: ...\ndef open_store(): ...\n",
            "pkg/extra.py": "X = 1\n",
        },
    )
    mod = gen.read_module(tmp_path / "pkg" / "__init__.py", "toy.pkg")
    assert mod.names == ["`Store`", "`open_store()`", "everything of `.extra`"]


def test_a_file_that_does_not_parse_is_listed_with_its_error_not_a_crash(tmp_path):
    write(tmp_path, {"broken.py": '"""Half written."""\ndef f(:\n'})
    mod = gen.read_module(tmp_path / "broken.py", "toy.broken")
    assert mod.error == "SyntaxError at line 2"
    assert "(could not be read: SyntaxError at line 2)" in gen.body(tmp_path, tmp_path / "none.toml")


def test_families_come_in_layer_order_with_modules_in_the_order_their_package_lists_them(tmp_path):
    toy = write(
        tmp_path / "toy",
        {
            "__init__.py": '"""Toy."""\n',
            "units.py": '"""Units."""\n',
            "plan.py": '"""Plan."""\n',
            "zeta.py": '"""Zeta."""\n',
            "_private.py": '"""Private."""\n',
            "cli/__init__.py": '"""The command line."""\n',
            "cli/cmd_a.py": '"""A."""\n',
            "extras/__init__.py": '"""Not a layer."""\n',
            "store/__init__.py": '"""The store.\n\n- :mod:`.revisions`: first\n'
            '- :mod:`.engine`: second\n"""\n',
            "store/engine.py": '"""Engine."""\n',
            "store/revisions.py": '"""Revisions."""\n',
            "store/schema.py": '"""Schema."""\n',
            "web/__init__.py": '"""Web."""\n',
            "web/boards/__init__.py": '"""Boards."""\n',
            "web/boards/overview.py": '"""Overview."""\n',
        },
    )
    groups = gen.families(toy)
    assert list(groups) == ["core", "store", "web", "cli", "extras"]
    assert [m.name for m in groups["core"]] == ["toy", "toy.units", "toy.plan", "toy.zeta"]
    assert [m.name for m in groups["store"]] == [
        "toy.store",
        "toy.store.revisions",
        "toy.store.engine",
        "toy.store.schema",
    ]
    assert [m.name for m in groups["web"]] == ["toy.web", "toy.web.boards", "toy.web.boards.overview"]


def test_the_layer_section_lists_the_import_contracts_of_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.importlinter.contracts]]\nname = "The core imports no web"\ntype = "forbidden"\n',
        encoding="utf-8",
    )
    assert gen.layers_text(tmp_path / "pyproject.toml") == "- The core imports no web (forbidden)\n"


def test_the_hand_written_head_above_the_marker_is_kept(tmp_path):
    page = tmp_path / "internals.md"
    page.write_text("# Head\n\nConventions.\n\n" + gen.MARKER + "\n\nold body\n", encoding="utf-8")
    toy = write(tmp_path / "toy", {"__init__.py": "", "units.py": '"""Units."""\n'})
    text = gen.render(page, toy, tmp_path / "none.toml")
    assert text.startswith("# Head\n\nConventions.\n\n" + gen.MARKER + "\n\n## Layers\n")
    assert "old body" not in text and "### `toy.units`\n\nUnits.\n" in text


def test_a_page_without_the_marker_is_refused_and_left_as_it_was(tmp_path):
    page = tmp_path / "internals.md"
    page.write_text("# Hand-written\n\nEverything here is prose.\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="the marker line is missing"):
        gen.render(page, tmp_path, tmp_path / "none.toml")
    assert page.read_text(encoding="utf-8") == "# Hand-written\n\nEverything here is prose.\n"


# ----- the real page ----------------------------------------------------------------------------------


def test_the_internals_page_is_what_the_generator_writes_from_the_package_today():
    current = PAGE.read_text(encoding="utf-8")
    wanted = gen.render()
    diff = "".join(
        list(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), "page", "package"))[:80]
    )
    assert current == wanted, f"run .venv/bin/python scripts/internals.py (make docs):\n{diff}"


def test_every_module_of_the_package_has_its_entry_and_every_entry_is_a_module():
    on_page = set(re.findall(r"^### `(kejifu[\w.]*)`$", PAGE.read_text(encoding="utf-8"), flags=re.M))
    files = set()
    for path in (ROOT / "kejifu").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        elif parts[-1].startswith("_"):
            continue
        files.add(".".join(parts))
    assert on_page == files


def entries() -> list[tuple[str, list[str]]]:
    """(module, names) for every entry of the page that lists public names."""
    found = []
    for block in PAGE.read_text(encoding="utf-8").split("\n### ")[1:]:
        module = re.match(r"`([\w.]+)`", block).group(1)
        public = re.search(r"^Public: (.*)$", block, flags=re.M)
        if public:
            found.append((module, re.findall(r"`(\w+)(?:\(\))?`", public.group(1))))
    return found


@pytest.mark.parametrize("module, names", entries(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_public_name_on_the_page_is_importable_from_its_module(module, names):
    loaded = importlib.import_module(module)
    missing = [n for n in names if not hasattr(loaded, n)]
    assert not missing, f"{module} has no {missing}"


def test_the_fixtures_the_conventions_name_exist_in_conftest():
    head = PAGE.read_text(encoding="utf-8").split(gen.MARKER)[0]
    named = set(re.findall(r"`(\w+_plan)`", head))
    tree = ast.parse((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"))
    fixtures = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert named and named <= fixtures
