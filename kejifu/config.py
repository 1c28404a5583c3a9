"""Where things are: the one place that knows paths and database URLs.

A *workspace* is a folder holding ``plan.yaml`` and ``kejifu.sqlite`` (the store).
Notebooks and dashboards find theirs through the ``KEJIFU_WORKSPACE`` environment
variable, falling back to the bundled demo workspace ``data/demo``.
"""

from __future__ import annotations

import os
from pathlib import Path

PLAN_FILE = "plan.yaml"
DB_FILE = "kejifu.sqlite"


def repo_root() -> Path:
    """The repository (or source tree) root: the folder above the package."""
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """``data/``: example plans and the demo workspace."""
    return repo_root() / "data"


def plans_dir() -> Path:
    """``data/plans/``: example plan files."""
    return data_dir() / "plans"


def demo_plan() -> Path:
    """The 2005 沂南县 county plan that the demo workspace is built from."""
    return plans_dir() / "yinan-2005.yaml"


def demo_workspace() -> Path:
    """``data/demo/``: the bundled demo workspace (synthetic reports)."""
    return data_dir() / "demo"


def workspace_dir(path: str | os.PathLike | None = None) -> Path:
    """The workspace folder: ``path``, else ``$KEJIFU_WORKSPACE``, else the demo."""
    if path is not None:
        return Path(path).expanduser().resolve()
    env = os.environ.get("KEJIFU_WORKSPACE")
    if env:
        return Path(env).expanduser().resolve()
    return demo_workspace()


def plan_path(workspace: str | os.PathLike | None = None) -> Path:
    """The plan file of a workspace."""
    return workspace_dir(workspace) / PLAN_FILE


def db_url(workspace: str | os.PathLike | None = None) -> str:
    """The store's SQLAlchemy URL: ``$KEJIFU_DB_URL`` or the workspace's SQLite file."""
    env = os.environ.get("KEJIFU_DB_URL")
    if env:
        return env
    return f"sqlite:///{workspace_dir(workspace) / DB_FILE}"
