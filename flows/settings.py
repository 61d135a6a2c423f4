"""Run settings, resolved and checked once at the flow boundary."""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import fsspec

from flows.gitsource import GIT_PREFIX, is_git_source, remote_url
from flows.storage import is_url
from flows.warehouse import DATABASE_FILE, LAKE_DIR, STATE_FILE

DEFAULT_WAREHOUSE = Path("warehouse")
WAREHOUSE_ENV = "QUICKTAKES_WAREHOUSE"
DASHBOARD_FILE = "dashboard.html"
"""The dashboard's file in the warehouse folder, where ``run --dashboard`` writes it."""
"""The warehouse folder when a command is given none, so analysts need not repeat it."""
DEFAULT_BATCH_SIZE = 2000
DEFAULT_LOCK_TIMEOUT = 600.0
RUNNERS = ("pool", "prefect-process", "dask")
GIT_SCHEMES = ("file", "https", "http", "ssh", "git")


class ConfigError(Exception):
    """Bad settings: reported as one line, before anything is written."""


@dataclass(frozen=True, slots=True)
class RunSettings:
    source_root: str
    warehouse_dir: Path
    batch_size: int
    workers: int
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    allow_mass_delete: bool = False
    full_refresh: bool = False
    runner: str = "pool"
    dask_address: str | None = None
    staging: str | None = None
    git_ref: str | None = None
    git_path: str = ""

    @property
    def is_git(self) -> bool:
        return is_git_source(self.source_root)

    @property
    def source_label(self) -> str:
        """The source as ``etl.runs.source_root`` and the summary give it."""
        if self.is_git and self.git_path:
            return f"{self.source_root}#path={self.git_path}"
        return self.source_root

    @property
    def layout(self) -> Layout:
        return Layout(self.warehouse_dir)

    @property
    def database_path(self) -> Path:
        return self.layout.database_path

    @property
    def lake_dir(self) -> Path:
        return self.layout.lake_dir

    @property
    def state_path(self) -> Path:
        return self.layout.state_path

    @property
    def work_dir(self) -> Path:
        return self.layout.work_dir


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a warehouse folder keeps its parts."""

    warehouse_dir: Path

    @property
    def database_path(self) -> Path:
        """The analysts' copy: a link to the latest of ``.warehouses/``."""
        return self.warehouse_dir / DATABASE_FILE

    @property
    def lake_dir(self) -> Path:
        return self.warehouse_dir / LAKE_DIR

    @property
    def state_path(self) -> Path:
        """The runs' own DuckDB file: analysts read copies of it."""
        return self.warehouse_dir / STATE_FILE

    @property
    def unrecorded_dir(self) -> Path:
        """Records of runs that ended without the run lock, for the next run to record."""
        return self.warehouse_dir / ".state" / "unrecorded"

    @property
    def work_dir(self) -> Path:
        """Scratch space of runs in progress; removed when a run ends."""
        return self.warehouse_dir / ".work"

    @property
    def git_dir(self) -> Path:
        """Bare caches of git sources, one per remote URL."""
        return self.warehouse_dir / ".state" / "git"


def sample_corpus_path() -> Path:
    """The small article corpus shipped with the project, used when no source is given."""
    return Path(str(resources.files("flows").joinpath("sample_corpus")))


def resolve_settings(
    source: str | None,
    warehouse: str | None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    allow_mass_delete: bool = False,
    full_refresh: bool = False,
    runner: str = "pool",
    dask_address: str | None = None,
    staging: str | None = None,
    git_ref: str | None = None,
    git_path: str | None = None,
) -> RunSettings:
    """Check the settings and make the warehouse folder; raise ConfigError on the first problem."""
    source_root = _check_source(source)
    _check_git_options(source_root, git_ref, git_path, runner, staging)
    if batch_size < 1:
        raise ConfigError(f"batch size must be at least 1, got {batch_size}")
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    if lock_timeout < 0:
        raise ConfigError(f"lock timeout cannot be negative, got {lock_timeout}")
    _check_runner(runner, dask_address)
    if warehouse is not None and not warehouse.strip():
        raise ConfigError("warehouse is empty (an unset shell variable?): give a folder")
    warehouse_dir = Path(warehouse).expanduser() if warehouse is not None else default_warehouse()
    if "?" in str(warehouse_dir.resolve()):
        raise ConfigError(
            f"warehouse folder path has a '?', which DuckDB reads as the start of connection "
            f"options: {warehouse_dir}"
        )
    _check_writable(warehouse_dir)
    return RunSettings(
        source_root=source_root,
        warehouse_dir=warehouse_dir.resolve(),
        batch_size=batch_size,
        workers=workers or os.cpu_count() or 1,
        lock_timeout=lock_timeout,
        allow_mass_delete=allow_mass_delete,
        full_refresh=full_refresh,
        runner=runner,
        dask_address=dask_address,
        staging=_check_staging(staging),
        git_ref=git_ref or None,
        git_path=(git_path or "").strip("/"),
    )


def _check_source(source: str | None) -> str:
    """The source as a resolved local path, an fsspec URL checked to be a folder, or a git
    remote (reached when the run fetches it)."""
    if is_git_source(source):
        return _check_git_url(str(source))
    if source is not None and is_url(source):
        try:
            fs, root = fsspec.core.url_to_fs(source)
            if not fs.isdir(root):
                raise ConfigError(f"source folder not found: {source}")
        except (ImportError, ValueError, OSError) as error:
            raise ConfigError(f"cannot open source {source}: {error}") from None
        return source
    if source is not None and not source.strip():
        raise ConfigError("source is empty (an unset shell variable?): give a folder or a URL")
    root = Path(source).expanduser() if source is not None else sample_corpus_path()
    if not root.exists():
        raise ConfigError(f"source folder not found: {root}")
    if not root.is_dir():
        raise ConfigError(f"source is not a folder: {root}")
    return str(root.resolve())


def _check_git_url(source: str) -> str:
    url = remote_url(source)
    if shutil.which("git") is None:
        raise ConfigError("a git source needs the git command: install git")
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in GIT_SCHEMES:
        raise ConfigError(
            f"git source {source!r} needs one of git+{', git+'.join(GIT_SCHEMES)}://..., "
            "e.g. git+file:///srv/cms.git"
        )
    if scheme == "file":
        path = Path(url.removeprefix("file://"))
        if not path.is_dir():
            raise ConfigError(f"git repository not found: {path}")
        return f"{GIT_PREFIX}{path.resolve().as_uri()}"
    return source


def _check_git_options(
    source: str, ref: str | None, path: str | None, runner: str, staging: str | None
) -> None:
    if not is_git_source(source):
        if ref or path:
            raise ConfigError("--ref and --path need a git source (--source git+URL)")
        return
    if runner == "dask" or staging is not None:
        raise ConfigError(
            "a git source is read from the warehouse's git cache on this machine: use the "
            "pool or prefect-process runner, without --staging"
        )
    if path and any(part in ("", ".", "..") for part in path.strip("/").split("/")):
        raise ConfigError(f"--path must be a folder inside the repository, got {path!r}")


def _check_staging(staging: str | None) -> str | None:
    """A staging location every parse worker can write and the flow can read."""
    if staging is None:
        return None
    location = staging if is_url(staging) else str(Path(staging).expanduser().resolve())
    try:
        fs, root = fsspec.core.url_to_fs(location)
        fs.makedirs(root, exist_ok=True)
    except (ImportError, ValueError, OSError) as error:
        raise ConfigError(f"cannot use staging location {staging}: {error}") from None
    return location


def _check_runner(runner: str, dask_address: str | None) -> None:
    if runner not in RUNNERS:
        raise ConfigError(f"unknown runner {runner!r}: choose one of {', '.join(RUNNERS)}")
    if dask_address is not None and runner != "dask":
        raise ConfigError("a Dask address needs the dask runner (--runner dask)")
    if runner == "dask" and importlib.util.find_spec("prefect_dask") is None:
        raise ConfigError("the dask runner needs prefect-dask: pip install 'quicktakes-etl[dask]'")


def _check_writable(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"warehouse path is a file, not a folder: {folder}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise ConfigError(
            f"warehouse folder is not writable: {folder} ({error.strerror or error})"
        ) from None


def default_warehouse() -> Path:
    """``$QUICKTAKES_WAREHOUSE`` when it is set, else ``./warehouse``."""
    value = os.environ.get(WAREHOUSE_ENV, "").strip()
    return Path(value).expanduser() if value else DEFAULT_WAREHOUSE
