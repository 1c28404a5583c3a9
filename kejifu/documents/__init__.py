"""Review documents: one :class:`Review` (title, body paragraphs, tables, figures) written as
xlsx, docx and HTML; responsibility contracts (责任状) as docx.

Modules, in flow order:

* :mod:`.model` — :class:`Review`, :class:`Table`, :class:`Column`; :func:`cell_text` (the one
  way a cell becomes text, through :mod:`kejifu.display`);
* :mod:`.build` — :func:`build_review` gathers a review's content from the numbers (status,
  reviews, ranking, scoring, bulletin, charts) and says how current and complete they are;
  :func:`contract_rows`;
* :mod:`.annual` — the year-end assessment's sheet (points per target, deductions, veto items,
  total, rank, grade) and sentences; scored as of the data month, and saying so, when the data do
  not cover the whole year;
* :mod:`.contract` — the responsibility contracts' content: amounts at the unit's natural
  precision, quarterly checkpoints, the rubric's clauses;
* :mod:`.layout` — the 公文 layout (GB/T 9704-2012) in one place: 发文机关标志, 发文字号, fonts,
  margins, titles without repetition, 主送机关 by type, 版记, number style of running text;
  a plan's ``settings.documents`` overrides it;
* :mod:`.xlsx`, :mod:`.docx`, :mod:`.html` — the writers; they only lay the review out;
* :mod:`.pdf` — PDF copies through LibreOffice (``soffice --headless``) and reading them back;
* here: :func:`write_review`, :func:`write_contracts`, chart export (:func:`chart_png`: PNG
  through kaleido/Chromium, ``None`` — and the documents say so — when the export fails or
  times out), and the workspace folders (:func:`output_dir`, :func:`save_upload`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import warnings
from pathlib import Path

from ..i18n import t
from ..plan import Plan
from .build import build_review, contract_rows, mark_text, missing_reporters, with_marks
from .model import Column, Review, Table, cell_text, table_rows

__all__ = [
    "Column",
    "Review",
    "Table",
    "build_review",
    "cell_text",
    "chart_png",
    "chart_server",
    "contract_rows",
    "mark_text",
    "missing_reporters",
    "output_dir",
    "render_figures",
    "save_upload",
    "table_rows",
    "with_marks",
    "write_contracts",
    "write_review",
]

CHART_TIMEOUT = 60.0  # [s] per figure
_chart_state: dict[str, bool] = {}


# ----- workspace folders ---------------------------------------------------------------------------


def output_dir(name: str = "reports", workspace=None) -> Path:
    """``<workspace>/<name>/`` (created): where notebooks write reports, contracts, templates
    and uploaded files; the workspace comes from :func:`kejifu.config.workspace_dir`."""
    from .. import config

    if not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(f"无效的文件夹名 / invalid folder name: {name!r}")
    folder = config.workspace_dir(workspace) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(name: str, content: bytes, workspace=None) -> Path:
    """Save an uploaded file's bytes as ``<workspace>/uploads/<base name>``; directory parts of
    ``name`` are dropped so nothing is written outside the workspace. Returns the path."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    if base in ("", ".", ".."):
        raise ValueError(f"无效的文件名 / invalid file name: {name!r}")
    path = output_dir("uploads", workspace) / base
    path.write_bytes(bytes(content))
    return path


# ----- charts ------------------------------------------------------------------------------------


def _with_timeout(fn, timeout: float):
    """Run ``fn()`` in a daemon thread; ``(True, value)`` or ``(False, None)`` on error/timeout."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result["value"] = fn()
        except Exception as exc:  # noqa: BLE001 — any exporter failure means "no chart"
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or "error" in result:
        return False, None
    return True, result.get("value")


def chart_png(
    fig, *, timeout: float = CHART_TIMEOUT, width: int = 900, height: int | None = None
) -> bytes | None:
    """PNG bytes of a plotly figure via kaleido 1.x (``fig.to_image``, which drives the
    Chromium it finds, e.g. /usr/bin/chromium), or ``None`` when the export fails or takes
    longer than ``timeout`` [s]. After one failure in a process the rest are skipped."""
    if _chart_state.get("broken"):
        return None
    h = height or int(fig.layout.height or 500)
    ok, png = _with_timeout(lambda: fig.to_image(format="png", width=width, height=h, scale=1.5), timeout)
    if not ok or not isinstance(png, (bytes, bytearray)):
        _chart_state["broken"] = True
        return None
    return bytes(png)


@contextlib.contextmanager
def chart_server(timeout: float = CHART_TIMEOUT):
    """Keep one kaleido browser open for several exports (kaleido ≥ 1.1 ``start_sync_server``)."""
    started = False
    try:
        import kaleido

        if hasattr(kaleido, "start_sync_server"):
            started, _ = _with_timeout(lambda: kaleido.start_sync_server(silence_warnings=True), timeout)
    except ImportError:
        pass
    try:
        yield
    finally:
        if started:
            import kaleido

            _with_timeout(lambda: kaleido.stop_sync_server(silence_warnings=True), timeout)


def render_figures(review: Review, *, timeout: float = CHART_TIMEOUT) -> list[tuple[str, bytes]]:
    """(caption, PNG) for every figure of ``review`` that could be exported."""
    out = []
    if not review.figures:
        return out
    with chart_server(timeout):
        for caption, fig in review.figures:
            png = chart_png(fig, timeout=timeout)
            if png is not None:
                out.append((caption, png))
    return out


def write_review(
    review: Review, out_dir: str | Path, *, charts: bool = True, timeout: float = CHART_TIMEOUT
) -> list[Path]:
    """Write ``review`` as ``<stem>.xlsx``, ``<stem>.docx`` and ``<stem>.html`` into ``out_dir``
    (created if needed); returns the paths written."""
    from . import docx as docx_mod
    from . import html as html_mod
    from . import xlsx as xlsx_mod

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    images = render_figures(review, timeout=timeout) if charts and review.figures else []
    charts_note = None if images else t("reviews.charts_missing", review.lang)
    paths = [
        xlsx_mod.write_review(review, out / f"{review.stem()}.xlsx"),
        docx_mod.write_review(review, out / f"{review.stem()}.docx", images=images, charts_note=charts_note),
        html_mod.write_review(review, out / f"{review.stem()}.html", images=images, charts_note=charts_note),
    ]
    return paths


def write_contracts(
    plan: Plan,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    kinds: tuple[str, ...] = ("town", "subdistrict"),
    date: dt.date | None = None,
) -> list[Path]:
    """One responsibility contract (责任状) docx per org of ``kinds`` (a 任务书 for an
    ``enterprise``, written only when it has allocated targets); returns the paths written."""
    from . import docx as docx_mod

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for org in plan.orgs:
        if org.kind not in kinds:
            continue
        if org.kind == "enterprise" and contract_rows(plan, org.id, lang).empty:
            continue
        suffix = "_en" if lang == "en" else ""
        paths.append(
            docx_mod.write_contract(
                plan, org.id, out / f"{plan.plan.id}_contract_{org.id}{suffix}.docx", lang=lang, date=date
            )
        )
    return paths
