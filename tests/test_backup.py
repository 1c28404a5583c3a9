"""Dump and restore: every table round-trips row for row, across back-ends, never over an existing
workspace."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pandas as pd
import pytest
import sqlalchemy as sa

from kejifu import config
from kejifu.cli import main
from kejifu.demo import build_demo
from kejifu.errors import StoreError
from kejifu.store import Store
from kejifu.store.backup import dump, read_manifest, read_tables, restore
from tests.pg import backend, db_url, pg_server, raw_sql  # noqa: F401  (fixtures)


def tables_of(url: str) -> dict[str, list[dict]]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return read_tables(engine)
    finally:
        engine.dispose()


@pytest.fixture
def demo(tmp_path, db_url):
    """The demo workspace (reports, revisions, registers, deputies) plus a table the package does not know."""
    ws = build_demo(tmp_path / "demo")
    raw_sql(
        config.db_url(ws),
        "CREATE TABLE county_notes (id INTEGER PRIMARY KEY, note TEXT, due DATE)",
        "INSERT INTO county_notes VALUES (1, '示例备注', '2005-07-01'), (2, NULL, NULL)",
    )
    return ws


def test_a_dump_restores_every_table_row_for_row(tmp_path, demo, db_url, request):
    source_url = config.db_url(demo)
    result = dump(demo, tmp_path / "demo.zip")
    assert {
        "reports",
        "import_batches",
        "register_items",
        "plan_versions",
        "deputies",
        "deputy_reports",
        "county_notes",
    } <= set(result.tables)
    target_url = None if db_url is None else request.getfixturevalue("pg_server").create_database()
    restored = restore(tmp_path / "demo.zip", tmp_path / "copy", url=target_url)
    assert restored.report.ok and restored.tables == result.tables
    before, after = tables_of(source_url), tables_of(target_url or config.db_url(tmp_path / "copy"))
    assert set(before) == set(after)
    for name in before:
        assert after[name] == before[name], name
    with Store.open(demo, readonly=True) as store:  # every revision the store keeps, read its own way
        n_revisions = len(store.history())
    assert n_revisions > 400 and len(before["reports"]) == n_revisions and len(before["county_notes"]) == 2
    assert (tmp_path / "copy" / "plan.yaml").read_bytes() == (demo / "plan.yaml").read_bytes()


def test_the_manifest_counts_rows_and_hashes_every_member(tmp_path, demo):
    dump(demo, tmp_path / "d.zip")
    manifest = read_manifest(tmp_path / "d.zip")
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        for entry in manifest["tables"]:
            data = zf.read(entry["file"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert data.count(b"\n") == entry["rows"]
        assert hashlib.sha256(zf.read("plan.yaml")).hexdigest() == manifest["plan"]["sha256"]
    names = [e["name"] for e in manifest["tables"]]
    assert names.index("import_batches") < names.index("reports")  # parents before children
    reports = next(e for e in manifest["tables"] if e["name"] == "reports")
    assert {"name": "value", "type": "Double", "nullable": False, "primary_key": False} in reports["columns"]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_sqlite_dump_restores_into_postgresql_and_takes_new_imports(tmp_path, demo, pg_server, monkeypatch):
    dump(demo, tmp_path / "demo.zip")
    url = pg_server.create_database()
    try:
        monkeypatch.setenv("KEJIFU_DB_URL", url)
        assert main(["restore", str(tmp_path / "demo.zip"), str(tmp_path / "pg")]) == 0
        assert tables_of(url) == tables_of(f"sqlite:///{demo / 'kejifu.sqlite'}")
        store = Store.open(tmp_path / "pg")
        try:
            last = int(store.batches()["id"].max())
            res = store.commit_reports(
                pd.DataFrame(
                    {"org": ["hutou"], "measure": ["mushroom_area"], "month": ["2005-07"], "value": [999.0]}
                ),
                source_file="jul.csv",
                sha256="after-restore",
            )
            assert res.batch_id == last + 1  # the sequences were moved past the restored ids
            assert store.engine.dialect.name == "postgresql"
        finally:
            store.close()
    finally:
        pg_server.drop_database(url)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_postgresql_dump_restores_into_sqlite(tmp_path, demo, db_url, monkeypatch):
    dump(demo, tmp_path / "pg.zip")
    monkeypatch.delenv("KEJIFU_DB_URL")
    restore(tmp_path / "pg.zip", tmp_path / "lite")
    assert (tmp_path / "lite" / "kejifu.sqlite").is_file()
    assert tables_of(f"sqlite:///{tmp_path / 'lite' / 'kejifu.sqlite'}") == tables_of(db_url)


def test_restore_refuses_an_existing_workspace_and_leaves_it_untouched(tmp_path, demo, db_url):
    dump(demo, tmp_path / "d.zip")
    before = tables_of(config.db_url(demo))
    with pytest.raises(StoreError) as exc:
        restore(tmp_path / "d.zip", demo)
    assert "恢复不会覆盖" in str(exc.value) and "never overwrites" in str(exc.value)
    assert tables_of(config.db_url(demo)) == before
    assert main(["restore", str(tmp_path / "d.zip"), str(demo)]) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_restore_refuses_a_database_that_already_holds_the_tables(tmp_path, demo, db_url):
    dump(demo, tmp_path / "d.zip")
    with pytest.raises(StoreError) as exc:
        restore(tmp_path / "d.zip", tmp_path / "fresh-folder")  # same KEJIFU_DB_URL as the demo
    assert "already holds kejifu tables" in str(exc.value) and "reports" in str(exc.value)
    assert not (tmp_path / "fresh-folder").exists()
    with Store.open(demo, readonly=True) as store:
        assert len(tables_of(db_url)["reports"]) == len(store.history()) > 400


def test_a_damaged_dump_is_refused_before_anything_is_created(tmp_path, demo):
    dump(demo, tmp_path / "d.zip")
    with zipfile.ZipFile(tmp_path / "d.zip") as src, zipfile.ZipFile(tmp_path / "bad.zip", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/reports.jsonl":
                data = data.replace(b'"value":', b'"value":1', 1)
            dst.writestr(item, data)
    with pytest.raises(StoreError) as exc:
        restore(tmp_path / "bad.zip", tmp_path / "x", url=f"sqlite:///{tmp_path / 'x' / 'kejifu.sqlite'}")
    assert "tables/reports.jsonl" in str(exc.value) and "damaged" in str(exc.value)
    assert not (tmp_path / "x").exists()


def test_a_restore_that_fails_midway_leaves_nothing_behind(tmp_path, demo, db_url, request):
    """A dump whose rows break a constraint (a duplicated report row, manifest re-hashed to match)."""
    dump(demo, tmp_path / "d.zip")
    with zipfile.ZipFile(tmp_path / "d.zip") as src:
        manifest = json.loads(src.read("manifest.json"))
        members = {i.filename: src.read(i) for i in src.infolist()}
    body = members["tables/reports.jsonl"]
    body += body.splitlines(keepends=True)[0]
    members["tables/reports.jsonl"] = body
    entry = next(e for e in manifest["tables"] if e["name"] == "reports")
    entry["rows"] += 1
    entry["sha256"] = hashlib.sha256(body).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "dup.zip", "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)
    target = None if db_url is None else request.getfixturevalue("pg_server").create_database()
    with pytest.raises(StoreError) as exc:
        restore(tmp_path / "dup.zip", tmp_path / "half", url=target)
    assert "rolled back" in str(exc.value)
    assert not (tmp_path / "half").exists()
    if target is not None:
        assert tables_of(target) == {}  # the tables created in the transaction are gone too


def test_dump_refuses_to_overwrite_a_file_unless_forced(tmp_path, demo, capsys):
    assert main(["dump", str(demo), str(tmp_path / "d.zip")]) == 0
    assert "dumped 16 tables" in capsys.readouterr().out  # 10 of the store, 5 of the deputies, county_notes
    assert (
        main(["dump", str(demo), str(tmp_path / "d.zip")]) == 2
    )  # misuse, as every command that would overwrite a file without --force
    assert "--force" in capsys.readouterr().err
    assert main(["dump", str(demo), str(tmp_path / "d.zip"), "--force"]) == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_file_that_is_not_a_dump_is_refused(tmp_path, db_url):
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(StoreError, match="not a kejifu backup file"):
        restore(tmp_path / "x.zip", tmp_path / "ws")
    assert not (tmp_path / "ws").exists()
