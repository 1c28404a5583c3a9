"""Issue 12, CLI misuse: every path argument is checked before anything runs — exit 2 with a
bilingual message, never a traceback — and an unreachable database says so."""

from __future__ import annotations

import socket

import pytest

from kejifu import config
from kejifu.cli import main, paths
from kejifu.errors import UsageError
from kejifu.store import Store

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"


@pytest.fixture
def ws(tmp_path):
    Store.create(tmp_path / "ws", TINY).close()
    return tmp_path / "ws"


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def misuse(code: int, said: str, *words: str) -> bool:
    return code == 2 and "Traceback" not in said and " / " in said and all(w in said for w in words)


def test_report_out_an_existing_file_is_misuse_and_leaves_the_file_alone(tmp_path, ws, capsys):
    out = tmp_path / "notes.txt"
    out.write_text("keep me", encoding="utf-8")
    code, said = run(capsys, "report", ws, "monthly", "--period", "2005-06", "--out", out)
    assert misuse(code, said, "--out", "is an existing file", "已有的文件")
    assert out.read_text(encoding="utf-8") == "keep me"


def test_report_out_under_proc_is_misuse(ws, capsys):
    code, said = run(capsys, "report", ws, "monthly", "--period", "2005-06", "--out", "/proc/x")
    assert misuse(code, said, "--out", "cannot write to /proc/x", "无法写入")


def test_contracts_out_an_existing_file_is_misuse(tmp_path, ws, capsys):
    (tmp_path / "f").write_text("", encoding="utf-8")
    code, said = run(capsys, "contracts", ws, "--out", tmp_path / "f")
    assert misuse(code, said, "--out")


def test_init_on_a_file_is_misuse_and_the_file_stays(tmp_path, capsys):
    f = tmp_path / "a-file"
    f.write_text("x", encoding="utf-8")
    code, said = run(capsys, "init", f, "--plan", TINY)
    assert misuse(code, said, f"not a folder: {f}", "不是文件夹")
    assert f.read_text(encoding="utf-8") == "x"


def test_init_with_a_missing_or_folder_plan_is_misuse(tmp_path, capsys):
    code, said = run(capsys, "init", tmp_path / "w", "--plan", tmp_path / "none.yaml")
    assert misuse(code, said, "--plan", "no such file")
    code, said = run(capsys, "init", tmp_path / "w", "--plan", tmp_path)
    assert misuse(code, said, "--plan", "is a folder")
    assert not (tmp_path / "w").exists()


def test_dump_into_a_missing_folder_is_misuse(ws, capsys):
    code, said = run(capsys, "dump", ws, "/nonexistent/x.zip")
    assert misuse(code, said, "FILE", "no such folder: /nonexistent", "文件夹不存在")


def test_dump_onto_a_folder_is_misuse(tmp_path, ws, capsys):
    code, said = run(capsys, "dump", ws, tmp_path)
    assert misuse(code, said, "is a folder; give a file name")


def test_restore_of_a_missing_file_or_into_a_file_is_misuse(tmp_path, ws, capsys):
    code, said = run(capsys, "restore", tmp_path / "none.zip", tmp_path / "new")
    assert misuse(code, said, "no such file")
    (tmp_path / "d.zip").write_bytes(b"")
    (tmp_path / "taken").write_text("", encoding="utf-8")
    code, said = run(capsys, "restore", tmp_path / "d.zip", tmp_path / "taken")
    assert misuse(code, said, "not a folder")


@pytest.mark.parametrize(
    "argv",
    [
        ("status", "{f}", "--as-of", "2005-06"),
        ("check", "{f}"),
        ("report", "{f}", "monthly", "--period", "2005-06", "--out", "{tmp}/out"),
        ("contracts", "{f}", "--out", "{tmp}/out"),
    ],
)
def test_a_workspace_argument_that_is_a_file_is_misuse(tmp_path, capsys, argv):
    f = tmp_path / "plan.yaml"
    f.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    code, said = run(capsys, *(a.format(f=f, tmp=tmp_path) for a in argv))
    assert misuse(code, said, f"not a folder: {f}")


def test_bench_json_onto_a_folder_is_misuse_before_any_measurement(tmp_path, capsys):
    code, said = run(capsys, "bench", "--scale", "county", "--json", tmp_path)
    assert misuse(code, said, "--json", "is a folder")


def test_an_output_file_keeps_the_name_it_was_given(tmp_path):
    with pytest.raises(UsageError, match=r"must end in \.xlsx"):
        paths.output_file(tmp_path / "out", "--out", suffixes=(".xlsx",))
    with pytest.raises(UsageError, match="is a folder"):
        paths.output_file(tmp_path, "--out", suffixes=(".xlsx",))
    (tmp_path / "t.xlsx").write_bytes(b"")
    with pytest.raises(UsageError, match="use --force"):
        paths.output_file(tmp_path / "t.xlsx", "--out", suffixes=(".xlsx",))
    assert paths.output_file(tmp_path / "t.xlsx", "--out", force=True, suffixes=(".xlsx",)).name == "t.xlsx"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_postgresql_says_unreachable_not_not_a_workspace(tmp_path, ws, capsys, monkeypatch):
    url = f"postgresql+psycopg://kejifu:secret@127.0.0.1:{_closed_port()}/kejifu"
    monkeypatch.setenv("KEJIFU_DB_URL", url)
    code, said = run(capsys, "status", ws, "--as-of", "2005-06")
    assert code == 1 and "the database is unreachable" in said and "无法连接数据库" in said
    assert "not a kejifu workspace" not in said and "secret" not in said and "Traceback" not in said


def test_an_unforeseen_file_error_is_a_message_not_a_traceback(tmp_path, ws, capsys, monkeypatch):
    import kejifu.cli.cmd_check as cmd_check

    def boom(args):
        raise PermissionError(13, "Permission denied", str(tmp_path / "locked"))

    monkeypatch.setattr(cmd_check, "run", boom)
    code, said = run(capsys, "check", ws)
    assert code == 1 and f"{tmp_path / 'locked'}: 文件读写失败：Permission denied / file error" in said
