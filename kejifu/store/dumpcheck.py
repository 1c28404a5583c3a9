"""Checking a dump before a restore writes anything: manifest, members, table names, columns, types, JSON.

:func:`check_dump` reads a ``kejifu dump`` zip once and refuses it with a located, bilingual
:class:`~kejifu.errors.StoreError` when anything is off — a missing or malformed manifest, a table
or column name that is not a plain identifier, a type it does not know, a member whose sha256
does not match, a line that is not one JSON object of exactly the table's columns, a tagged value
it cannot decode, a value of the wrong type for its column, a non-finite number, a missing value
in a NOT NULL column, a row count that is not the manifest's. A crafted dump whose checksums
are right is checked as closely as a damaged one. Nothing here writes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import hashlib
import io
import json
import math
import re
import zipfile
import zlib
from typing import Any

from ..errors import StoreError
from ..i18n import t

FORMAT = "kejifu-dump"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: The longest row line a dump may hold [bytes]; a kejifu row is well under 100 KB.
MAX_LINE = 8 * 1024 * 1024
#: The largest manifest and plan member [bytes].
MAX_MANIFEST = 16 * 1024 * 1024
MAX_PLAN = 10 * 1024 * 1024

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_HEX = re.compile(r"[0-9a-f]{64}")

#: Portable type name -> the Python types its values may have after decoding.
_INT = (int,)
_NUM = (int, float, decimal.Decimal)
_TEXT = (str, int, float)  # SQLite keeps what it is given in a text column
VALUE_TYPES: dict[str, tuple[type, ...] | None] = {
    "Integer": _INT,
    "SmallInteger": _INT,
    "BigInteger": _INT,
    "Boolean": (bool, int),
    "Date": (dt.date, str),
    "DateTime": (dt.datetime, str),
    "Time": (dt.time, str),
    "Double": _NUM,
    "Float": _NUM,
    "Numeric": _NUM,
    "String": _TEXT,
    "Text": _TEXT,
    "Unicode": _TEXT,
    "UnicodeText": _TEXT,
    "LargeBinary": (bytes,),
    "JSON": None,  # anything JSON holds
    "Uuid": (str,),
    "Interval": (dt.timedelta,),
}


class _Bad(Exception):
    """One reason a dump is refused: Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _refuse(file, what: _Bad, member: str | None = None, line: int | None = None) -> StoreError:
    where_zh = f"{member}第{line}行：" if line else (f"{member}：" if member else "")
    where_en = f"{member} line {line}: " if line else (f"{member}: " if member else "")
    return StoreError(
        t("rel.restore.invalid", "zh", what=where_zh + what.zh),
        t("rel.restore.invalid", "en", what=where_en + what.en),
        file=str(file),
        row=line,
    )


def _text(parse):
    """A decoder that takes only a string payload."""

    def decoder(payload):
        if not isinstance(payload, str):
            raise TypeError(payload)
        return parse(payload)

    return decoder


def _seconds(payload):
    if isinstance(payload, bool) or not isinstance(payload, (int, float)) or not math.isfinite(payload):
        raise TypeError(payload)
    return dt.timedelta(seconds=payload)


_DECODERS: dict[str, Any] = {
    "$float": _text(float),
    "$datetime": _text(dt.datetime.fromisoformat),
    "$date": _text(dt.date.fromisoformat),
    "$time": _text(dt.time.fromisoformat),
    "$decimal": _text(decimal.Decimal),
    "$bytes": _text(lambda s: base64.b64decode(s, validate=True)),
    "$seconds": _seconds,
    "$json": lambda j: j,
}


def decode(value: Any) -> Any:
    """A JSON value of a dump row as the database value; :class:`_Bad` when it is no valid tag."""
    if not isinstance(value, dict):
        if isinstance(value, list):
            raise _Bad("值不能是列表", "a value cannot be a bare list")
        return value
    if len(value) != 1:
        raise _Bad("带标记的值应只有一个键", "a tagged value has exactly one key")
    ((tag, payload),) = value.items()
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise _Bad(f"未知的值标记 {tag!r}", f"unknown value tag {tag!r}")
    try:
        return decoder(payload)
    except (ValueError, TypeError, decimal.InvalidOperation, binascii.Error, OverflowError):
        raise _Bad(f"无法解读的值 {tag}: {payload!r:.60}", f"cannot decode {tag}: {payload!r:.60}") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _manifest(zf: zipfile.ZipFile) -> dict:
    """The manifest, its structure checked (not yet the members)."""
    try:
        info = zf.getinfo(MANIFEST)
    except KeyError:
        raise _Bad("缺少清单 manifest.json", "manifest.json is missing") from None
    if info.file_size > MAX_MANIFEST:
        raise _Bad("清单过大", "the manifest is too large")
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError, zipfile.BadZipFile, OSError):
        raise _Bad("清单不是有效的JSON", "the manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _Bad("不是kejifu备份", "not a kejifu dump")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Bad("备份格式版本无效", "invalid format_version")
    plan = manifest.get("plan")
    if not (isinstance(plan, dict) and isinstance(plan.get("file"), str) and _is_hex(plan.get("sha256"))):
        raise _Bad("清单中的计划文件条目无效", "the manifest's plan entry is invalid")
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not tables:
        raise _Bad("清单中没有表", "the manifest lists no tables")
    names = set()
    for i, entry in enumerate(tables):
        _table_entry(entry, i)
        if entry["name"] in names:
            raise _Bad(f"表 {entry['name']} 重复", f"table {entry['name']} is listed twice")
        names.add(entry["name"])
    return manifest


def _is_hex(value: Any) -> bool:
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def _table_entry(entry: Any, i: int) -> None:
    where = f"tables[{i}]"
    if not isinstance(entry, dict):
        raise _Bad(f"{where} 应为对象", f"{where} is not an object")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _Bad(f"{where} 表名无效：{name!r:.60}", f"{where}: invalid table name {name!r:.60}")
    if entry.get("file") != f"tables/{name}.jsonl":
        raise _Bad(f"表 {name} 的成员文件名无效", f"table {name}: invalid member file name")
    rows = entry.get("rows")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise _Bad(f"表 {name} 的行数无效", f"table {name}: invalid row count")
    if not _is_hex(entry.get("sha256")):
        raise _Bad(f"表 {name} 的校验和无效", f"table {name}: invalid sha256")
    columns = entry.get("columns")
    if not isinstance(columns, list) or not columns:
        raise _Bad(f"表 {name} 没有列", f"table {name} has no columns")
    seen = set()
    for c in columns:
        if not isinstance(c, dict):
            raise _Bad(f"表 {name} 的列描述无效", f"table {name}: a column is not an object")
        cname = c.get("name")
        if not isinstance(cname, str) or not _NAME.fullmatch(cname) or cname in seen:
            raise _Bad(
                f"表 {name} 的列名无效或重复：{cname!r:.60}",
                f"table {name}: invalid or repeated column name {cname!r:.60}",
            )
        seen.add(cname)
        if c.get("type") not in VALUE_TYPES:
            raise _Bad(
                f"表 {name} 列 {cname} 的类型未知：{c.get('type')!r:.40}",
                f"table {name} column {cname}: unknown type {c.get('type')!r:.40}",
            )
        length = c.get("length")
        if length is not None and (not isinstance(length, int) or isinstance(length, bool) or length < 1):
            raise _Bad(f"表 {name} 列 {cname} 的长度无效", f"table {name} column {cname}: invalid length")
        for flag in ("nullable", "primary_key"):
            if not isinstance(c.get(flag, False), bool):
                raise _Bad(
                    f"表 {name} 列 {cname} 的 {flag} 应为真假值",
                    f"table {name} column {cname}: {flag} is not a boolean",
                )
    pk = entry.get("primary_key", [])
    if not isinstance(pk, list) or any(k not in seen for k in pk):
        raise _Bad(f"表 {name} 的主键不是它的列", f"table {name}: its primary key names no column of it")


def _check_row(row: dict, columns: list[dict]) -> None:
    names = {c["name"] for c in columns}
    if set(row) != names:
        extra, missing = sorted(set(row) - names), sorted(names - set(row))
        raise _Bad(
            f"列与清单不符（多出 {extra}，缺少 {missing}）",
            f"the columns are not the manifest's (extra {extra}, missing {missing})",
        )
    for c in columns:
        value = decode(row[c["name"]])
        if value is None:
            if not c.get("nullable", True):
                raise _Bad(f"列 {c['name']} 不能为空", f"column {c['name']} cannot be empty")
            continue
        allowed = VALUE_TYPES[c["type"]]
        if allowed is not None and (
            not isinstance(value, allowed) or (bool not in allowed and isinstance(value, bool))
        ):
            raise _Bad(
                f"列 {c['name']}（{c['type']}）的值类型不符：{type(value).__name__}",
                f"column {c['name']} ({c['type']}) holds a {type(value).__name__}",
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise _Bad(
                f"列 {c['name']} 的值不是有限数：{value}", f"column {c['name']} is not finite: {value}"
            )


def _member(zf: zipfile.ZipFile, entry: dict, file) -> None:
    """Hash and check every row of one table member; a damaged member (sha256) is named as such
    before any row problem, which is how a crafted member is told from a broken one."""
    member, h, n = entry["file"], hashlib.sha256(), 0
    first: StoreError | None = None
    try:
        with zf.open(member) as fh:
            for n, raw in enumerate(iter(lambda: fh.readline(MAX_LINE + 1), b""), start=1):
                h.update(raw)
                if first is None:
                    first = _row_problem(raw, entry, file, member, n)
    except KeyError:
        raise _refuse(file, _Bad("备份中缺少该成员", "the member is missing from the zip"), member) from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise _bad_member(file, member) from None
    if h.hexdigest() != entry["sha256"]:
        raise _bad_member(file, member)
    if first is not None:
        raise first
    if n != entry["rows"]:
        raise _refuse(
            file,
            _Bad(
                f"有{n}行，清单记录{entry['rows']}行", f"holds {n} rows but the manifest says {entry['rows']}"
            ),
            member,
        )


def _row_problem(raw: bytes, entry: dict, file, member: str, n: int) -> StoreError | None:
    """Why line ``n`` of a member is no row of its table (None when it is one)."""
    if len(raw) > MAX_LINE:
        return _refuse(file, _Bad("行过长", "line too long"), member, n)
    try:
        row = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _refuse(file, _Bad("不是有效的JSON", "not valid JSON"), member, n)
    if not isinstance(row, dict):
        return _refuse(file, _Bad("应为一个JSON对象", "not a JSON object"), member, n)
    try:
        _check_row(row, entry["columns"])
    except _Bad as exc:
        return _refuse(file, exc, member, n)
    return None


def _bad_member(file, member: str) -> StoreError:
    return StoreError(
        t("rel.restore.bad_member", "zh", member=member),
        t("rel.restore.bad_member", "en", member=member),
        file=str(file),
    )


def check_dump(file, *, rows: bool = True) -> dict:
    """The manifest of the dump ``file`` after checking all of it (every row too when ``rows``);
    :class:`StoreError` naming the first thing wrong. Writes nothing."""
    not_dump = StoreError(
        t("rel.restore.not_dump", "zh", file=file), t("rel.restore.not_dump", "en", file=file), file=str(file)
    )
    try:
        zf = zipfile.ZipFile(file)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        raise not_dump from None
    with zf:
        try:
            manifest = _manifest(zf)
        except _Bad as exc:
            if exc.en == "not a kejifu dump" or MANIFEST not in zf.namelist():
                raise not_dump from None
            raise _refuse(file, exc, MANIFEST) from None
        if manifest["format_version"] > FORMAT_VERSION:
            v = manifest["format_version"]
            raise StoreError(
                t("rel.restore.newer", "zh", version=v),
                t("rel.restore.newer", "en", version=v),
                file=str(file),
            )
        plan = manifest["plan"]
        try:
            info = zf.getinfo(plan["file"])
            if info.file_size > MAX_PLAN:
                raise _refuse(file, _Bad("计划文件过大", "the plan file is too large"), plan["file"])
            data = zf.read(plan["file"])
        except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
            raise _bad_member(file, plan["file"]) from None
        if hashlib.sha256(data).hexdigest() != plan["sha256"]:
            raise _bad_member(file, plan["file"])
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(
                file, _Bad("计划文件不是UTF-8", "the plan file is not UTF-8"), plan["file"]
            ) from None
        for entry in manifest["tables"]:
            if rows:
                _member(zf, entry, file)
    return manifest


def read_rows(zf: zipfile.ZipFile, member: str):
    """The rows of a checked member as ``{column: value}`` (values decoded)."""
    with zf.open(member) as fh:
        for line in io.TextIOWrapper(fh, encoding="utf-8"):
            if line.strip():
                yield {k: decode(v) for k, v in json.loads(line).items()}
