"""The one label catalogue: every key in one file only, every entry in both languages."""

import pytest
import yaml

from kejifu import config
from kejifu.i18n import both, catalogue, t


def test_every_label_has_chinese_and_english():
    for key, entry in catalogue().items():
        assert entry.get("zh") and entry.get("en"), key


def test_labels_are_chinese_first_and_english_second():
    assert t("status.behind") == "滞后"
    assert t("status.behind", "en") == "Behind"
    assert both("status.no_data") == "无数据 / No data"


def test_an_unknown_key_fails_loudly_rather_than_showing_a_blank():
    with pytest.raises(KeyError):
        t("status.nonexistent")


CATALOGUE = config.repo_root() / "kejifu" / "catalogue"


class _RefuseDuplicates(yaml.SafeLoader):
    """A YAML loader that refuses a mapping naming the same key twice (plain YAML keeps the last)."""


def _mapping(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"repeated keys {repeated} at line {node.start_mark.line + 1}")
    return loader.construct_mapping(node, deep=deep)


_RefuseDuplicates.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_strict(text: str) -> dict:
    return yaml.load(text, Loader=_RefuseDuplicates) or {}


def test_the_strict_loader_catches_a_key_written_twice_in_one_file():
    with pytest.raises(ValueError, match=r"repeated keys \['a.b'\] at line 1"):
        load_strict("a.b: {zh: 甲, en: A}\nc: {zh: 丙, en: C}\na.b: {zh: 乙, en: B}\n")
    assert load_strict("a.b: {zh: 甲, en: A}\n") == {"a.b": {"zh": "甲", "en": "A"}}


def test_no_key_is_defined_twice_within_or_across_the_catalogue_files():
    seen: dict[str, str] = {}
    clashes = []
    for path in sorted(CATALOGUE.glob("*.yaml")):
        for key in load_strict(path.read_text(encoding="utf-8")):
            if key in seen:
                clashes.append(f"{key}: {seen[key]} and {path.name}")
            seen[key] = path.name
    assert seen and not clashes, clashes


def test_every_entry_is_exactly_a_chinese_and_an_english_text():
    # YAML reads an unquoted `en: yes` as True, and a comma in an unquoted flow value starts a new key
    odd = {
        key: entry
        for key, entry in catalogue().items()
        if not isinstance(entry, dict)
        or set(entry) != {"zh", "en"}
        or not all(isinstance(v, str) for v in entry.values())
    }
    assert not odd, odd


def test_the_english_side_of_the_board_and_chart_labels_holds_no_chinese():
    import re

    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    for area in ("dashboard", "charts", "deputies", "core", "status"):
        entries = yaml.safe_load((CATALOGUE / f"{area}.yaml").read_text(encoding="utf-8"))
        for key, entry in entries.items():
            assert not cjk.search(entry["en"]), (area, key, entry["en"])
