"""The one label catalogue: every key in one file only, every entry in both languages."""

import pytest

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
