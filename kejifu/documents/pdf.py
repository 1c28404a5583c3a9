"""PDF copies of the documents through LibreOffice (``soffice --headless --convert-to pdf``),
and reading them back (``pdftotext``, ``pdfinfo`` from poppler-utils) for the tests.

:func:`convert` returns the PDFs written; when LibreOffice is not installed it writes nothing and
:func:`available` is False, so the caller prints :func:`missing_note` instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..i18n import t
from . import layout as layout_mod

TIMEOUT = 180.0  # [s] per conversion
CONVERTIBLE = (".docx", ".xlsx")


def soffice() -> str | None:
    """The LibreOffice executable, or ``None`` when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    """True when LibreOffice can convert documents here."""
    return soffice() is not None


def missing_note(lang: str = "zh") -> str:
    """The note printed when LibreOffice is missing."""
    return t("documents.pdf_missing", lang)


def pdf_name(path: Path) -> str:
    """``<stem>.pdf`` for a docx, ``<stem>_xlsx.pdf`` for a workbook (both share a stem)."""
    return f"{path.stem}.pdf" if path.suffix.lower() == ".docx" else f"{path.stem}_xlsx.pdf"


def fontconfig(folder: Path, extra: dict[str, str] | None = None) -> Path:
    """A ``fonts.conf`` in ``folder`` that reads the system's and maps each 公文 font missing here
    (仿宋_GB2312, 黑体, …) to its installed fallback (:data:`~.layout.SUBSTITUTES`)."""
    subs = {**layout_mod.SUBSTITUTES, **(extra or {})}
    aliases = "".join(
        f'<alias binding="same"><family>{escape(name)}</family>'
        f"<prefer><family>{escape(layout_mod.FALLBACK_FONTS[kind])}</family></prefer></alias>"
        for name, kind in subs.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' + aliases + "</fontconfig>",
        encoding="utf-8",
    )
    return path


def convert(paths, out_dir: str | Path | None = None, *, timeout: float = TIMEOUT) -> list[Path]:
    """Convert every ``.docx``/``.xlsx`` of ``paths`` to PDF next to it (or into ``out_dir``) as
    :func:`pdf_name`; returns the PDFs written ([] when LibreOffice is missing). Raises
    ``RuntimeError`` naming the file when a conversion fails."""
    exe = soffice()
    todo = [Path(p) for p in paths if Path(p).suffix.lower() in CONVERTIBLE]
    if exe is None or not todo:
        return []
    written = []
    with tempfile.TemporaryDirectory(prefix="kejifu-lo-") as profile:
        env = {**os.environ, "HOME": profile, "FONTCONFIG_FILE": str(fontconfig(Path(profile)))}
        for path in todo:
            folder = Path(out_dir) if out_dir else path.parent
            folder.mkdir(parents=True, exist_ok=True)
            work = Path(profile) / "out"
            cmd = [
                exe,
                f"-env:UserInstallation=file://{profile}/user",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(path),
            ]
            made, target = work / f"{path.stem}.pdf", folder / pdf_name(path)
            try:
                subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, env=env)
            except (subprocess.SubprocessError, OSError) as exc:
                raise RuntimeError(t("documents.pdf_failed", "zh", name=path.name)) from exc
            if not made.exists():
                raise RuntimeError(t("documents.pdf_failed", "zh", name=path.name))
            shutil.move(str(made), str(target))
            written.append(target)
    return written


def text(pdf: str | Path) -> str:
    """The text of ``pdf`` (``pdftotext -layout``)."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60)
    return out.stdout.decode("utf-8", "replace")


def pages(pdf: str | Path) -> int:
    """The number of pages of ``pdf`` (``pdfinfo``)."""
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, timeout=60)
    m = re.search(r"^Pages:\s+(\d+)", out.stdout.decode("utf-8", "replace"), re.M)
    return int(m.group(1)) if m else 0
