"""Issue 12, restore row: a corrupt or crafted dump is refused with a message before anything is
written — no ``KeyError`` / ``ValueError`` / ``JSONDecodeError`` traceback, no folder, no database.

Each dump is built here from a real dump of the tiny workspace; "crafted" ones have their manifest
re-hashed so that the checksums are right and only the structure is wrong."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from kejifu import config
from kejifu.cli import main
from kejifu.errors import StoreError
from kejifu.io.importer import import_file
from kejifu.store import Store
from kejifu.store.backup import dump, restore

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"


@pytest.fixture(scope="module")
def good_dump(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dump")
    store = Store.create(tmp / "ws", TINY)
    f = tmp / "a.csv"
    f.write_text("单位,指标,月份,累计完成,计量单位,备注\nhutou,terminals,2005-05,100,,\n", encoding="utf-8")
    assert import_file(store, f, who="t").ok
    store.close()
    dump(tmp / "ws", tmp / "good.zip")
    with zipfile.ZipFile(tmp / "good.zip") as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def build(path, members: dict[str, bytes], *, rehash: bool = True):
    """Write ``members`` as a zip; with ``rehash`` the manifest's sha256 and row counts follow the members."""
    members = dict(members)
    if rehash and "manifest.json" in members:
        try:
            manifest = json.loads(members["manifest.json"])
        except ValueError:
            manifest = None
        if isinstance(manifest, dict) and isinstance(manifest.get("tables"), list):
            for entry in manifest["tables"]:
                if isinstance(entry, dict) and entry.get("file") in members:
                    body = members[entry["file"]]
                    entry["sha256"] = hashlib.sha256(body).hexdigest()
                    if isinstance(entry.get("rows"), int):  # a crafted count stays as crafted
                        entry["rows"] = len([x for x in body.splitlines() if x.strip()])
            members["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def manifest_of(members):
    return json.loads(members["manifest.json"])


def with_manifest(members, edit):
    manifest = manifest_of(members)
    edit(manifest)
    return {**members, "manifest.json": json.dumps(manifest, ensure_ascii=False).encode("utf-8")}


def with_report_line(members, transform):
    body = members["tables/reports.jsonl"]
    return {**members, "tables/reports.jsonl": transform(body)}


def with_batch_line(members, transform):
    body = members["tables/import_batches.jsonl"]
    return {**members, "tables/import_batches.jsonl": transform(body)}


def table(manifest, name):
    return next(e for e in manifest["tables"] if e["name"] == name)


CRAFTED = {
    "no manifest": (lambda m: {k: v for k, v in m.items() if k != "manifest.json"}, "not a kejifu backup"),
    "manifest not JSON": (lambda m: {**m, "manifest.json": b"{not json"}, "manifest is not valid JSON"),
    "manifest a list": (lambda m: {**m, "manifest.json": b"[1, 2]"}, "not a kejifu backup"),
    "tables not a list": (
        lambda m: with_manifest(m, lambda x: x.update(tables={"reports": 1})),
        "lists no tables",
    ),
    "table without a name": (
        lambda m: with_manifest(m, lambda x: table(x, "reports").pop("name")),
        "invalid table name",
    ),
    "SQL in a table name": (
        lambda m: with_manifest(m, lambda x: table(x, "reports").update(name="reports; DROP TABLE meta")),
        "invalid table name",
    ),
    "member outside tables/": (
        lambda m: with_manifest(m, lambda x: table(x, "reports").update(file="../../etc/passwd")),
        "invalid member file name",
    ),
    "unknown column type": (
        lambda m: with_manifest(m, lambda x: table(x, "reports")["columns"][0].update(type="Blob")),
        "unknown type 'Blob'",
    ),
    "column listed twice": (
        lambda m: with_manifest(
            m, lambda x: table(x, "reports")["columns"].append(dict(table(x, "reports")["columns"][1]))
        ),
        "invalid or repeated column name 'series_id'",
    ),
    "row count a string": (
        lambda m: with_manifest(m, lambda x: table(x, "meta").update(rows="4")),
        "invalid row count",
    ),
    "format_version a string": (
        lambda m: with_manifest(m, lambda x: x.update(format_version="one")),
        "invalid format_version",
    ),
    "plan entry missing": (lambda m: with_manifest(m, lambda x: x.pop("plan")), "plan entry is invalid"),
    "row not JSON": (lambda m: with_report_line(m, lambda b: b[:-20] + b"\n"), "line 1: not valid JSON"),
    "row a JSON list": (lambda m: with_report_line(m, lambda b: b"[1, 2, 3]\n"), "line 1: not a JSON object"),
    "NaN literal": (
        lambda m: with_report_line(m, lambda b: b.replace(b'"value":100.0', b'"value":NaN')),
        "line 1: not valid JSON",
    ),
    "tagged infinity": (
        lambda m: with_report_line(m, lambda b: b.replace(b'"value":100.0', b'"value":{"$float":"inf"}')),
        "column value is not finite",
    ),
    "extra column": (
        lambda m: with_report_line(m, lambda b: b.replace(b'{"id":1,', b'{"id":1,"evil":1,')),
        "extra ['evil']",
    ),
    "missing column": (
        lambda m: with_report_line(m, lambda b: b.replace(b'"note":null,', b"")),
        "missing ['note']",
    ),
    "text in an integer column": (
        lambda m: with_report_line(m, lambda b: b.replace(b'"revision":1,', b'"revision":"one",')),
        "column revision (Integer) holds a str",
    ),
    "null in a NOT NULL column": (
        lambda m: with_report_line(m, lambda b: b.replace(b'"series_id":1', b'"series_id":null')),
        "column series_id cannot be empty",
    ),
    "unknown tag": (
        lambda m: with_batch_line(m, lambda b: b.replace(b'{"$datetime":', b'{"$pickle":')),
        "unknown value tag '$pickle'",
    ),
    "two-key tag": (
        lambda m: with_batch_line(m, lambda b: b.replace(b'{"$datetime":', b'{"$date":"x","$datetime":')),
        "exactly one key",
    ),
    "bad date in a tag": (
        lambda m: with_batch_line(
            m, lambda b: b.replace(b'{"$datetime":"', b'{"$datetime":"2005-02-30T').replace(b"T2026", b"X")
        ),
        "cannot decode $datetime",
    ),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_crafted_dump_is_refused_with_a_message_and_nothing_is_written(tmp_path, good_dump, capsys, name):
    craft, words = CRAFTED[name]
    zf = build(tmp_path / "bad.zip", craft(good_dump))
    target = tmp_path / "restored"
    with pytest.raises(StoreError) as exc:
        restore(zf, target)
    assert words in str(exc.value)
    assert not target.exists()
    assert main(["restore", str(zf), str(target)]) == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and " / " in err
    assert not target.exists()


def test_a_row_count_that_disagrees_with_the_manifest_is_refused_before_writing(tmp_path, good_dump):
    members = with_manifest(good_dump, lambda x: table(x, "reports").update(rows=2))
    zf = build(tmp_path / "bad.zip", members, rehash=False)
    with pytest.raises(StoreError, match="holds 1 rows but the manifest says 2"):
        restore(zf, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


def test_a_damaged_member_is_called_damaged_even_when_its_lines_are_broken(tmp_path, good_dump):
    members = with_report_line(good_dump, lambda b: b[:-30] + b"\n")  # manifest not re-hashed
    zf = build(tmp_path / "bad.zip", members, rehash=False)
    with pytest.raises(StoreError, match="the sha256 of tables/reports.jsonl does not match"):
        restore(zf, tmp_path / "restored")


def test_a_truncated_zip_is_not_a_dump(tmp_path, good_dump):
    whole = build(tmp_path / "good.zip", good_dump).read_bytes()
    (tmp_path / "cut.zip").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(StoreError, match="not a kejifu backup file"):
        restore(tmp_path / "cut.zip", tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


def test_the_untouched_dump_still_restores_row_for_row(tmp_path, good_dump):
    result = restore(build(tmp_path / "good.zip", good_dump, rehash=False), tmp_path / "restored")
    assert result.tables["reports"] == 1 and result.tables["orgs"] == 4
    with Store.open(tmp_path / "restored", readonly=True) as store:
        assert store.reports()["value"].tolist() == [100.0]
