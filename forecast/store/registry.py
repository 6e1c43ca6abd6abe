"""The posterior store: versioned fits under ``models/<model>/<version>/`` and a pointer.

Layout::

    models/<model>/<version>/manifest.json      what the fit was (see forecast.model.fit)
    models/<model>/<version>/posterior.zarr      float32 serving posterior (Zarr v3, zstd)
    models/<model>/<version>/elpd_pointwise.npy  pointwise LOO elpd (stacking; not served)
    models/<model>/live.json                     {"version": ..., "history": [...]}

Writes are atomic: a version is written to ``.tmp-*`` in the same folder, fsynced and
renamed into place, so a crash leaves only an invisible temp folder and the previous
live version untouched; the pointer is replaced with ``os.replace``.

The pointer is validated on every read: it must name a version by :data:`VERSION_RE`
(no ``/`` or ``..``), inside the store, and :meth:`Registry.load` of the live version
refuses one that failed its gates. ``promote``, ``rollback`` and ``prune`` take the
store lock (``<models>/.refit.lock``, the refit's), so they never race a refit.
Only numpy, xarray and zarr are imported here, lazily (the service imports this module).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import GateFailedError, InputError, LockHeldError, StoreError

if TYPE_CHECKING:
    import numpy as np
    import xarray as xr

    from forecast.model.fit import FitResult

POSTERIOR = "posterior.zarr"
ELPD = "elpd_pointwise.npy"
MANIFEST = "manifest.json"
POINTER = "live.json"
LOCK = ".refit.lock"
ANY = object()  # promote(expect_live=ANY): whatever version is live now
#: A version name: what ``save`` writes (``<UTC stamp>-<spec hash>``) or any plain name
#: of letters, digits, ``_`` and ``-`` (no dots, so never ``..``; no ``/``).
VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


@contextlib.contextmanager
def store_lock(models_dir: Path) -> Iterator[None]:
    """Hold the store's lock (the refit's, re-entrant in one thread) or raise LockHeldError."""
    from filelock import FileLock, Timeout

    models_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(models_dir / LOCK, timeout=0, is_singleton=True)
    try:
        lock.acquire()
    except Timeout:
        owner = models_dir / ".refit.owner"
        who = owner.read_text().strip() if owner.is_file() else "unknown"
        raise LockHeldError(
            f"the store {models_dir} is locked by a refit ({who}); nothing changed. "
            "Retry when it has finished (the lock is released when its process ends)."
        ) from None
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True, slots=True)
class Artifact:
    """A loaded, validated fit: manifest + serving posterior."""

    model: str
    version: str
    manifest: dict[str, Any]
    posterior: xr.Dataset
    path: Path

    @property
    def train_until(self) -> int:
        """Last year of the training window (= ``as_of`` of its forecasts)."""
        return int(self.manifest["train_until"])


def _sha256(path: Path) -> str:
    """sha256 of a file, or of a folder's files (relative names and contents, sorted)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in files:
        if path.is_dir():
            h.update(p.relative_to(path).as_posix().encode() + b"\0")
        with p.open("rb") as f:
            for chunk in iter(lambda f=f: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _fsync_tree(path: Path) -> None:
    """fsync every file and folder under ``path`` (and ``path`` itself)."""
    items = [path] if path.is_file() else [*path.rglob("*"), path]
    for p in items:
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
        else:
            _fsync_dir(p)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_durable(path: Path, obj: Any) -> None:
    with path.open("w") as f:
        json.dump(obj, f, indent=2, sort_keys=True, default=str)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())


def _rename(src: Path, dst: Path) -> None:
    """The commit point of a save (a separate function so tests can inject a crash)."""
    os.rename(src, dst)


def write_posterior(ds: xr.Dataset, path: Path) -> None:
    """Zarr v3 store (default zstd compression, one chunk per variable) of the posterior."""
    ds.to_zarr(path, mode="w-", consolidated=False, zarr_format=3)


def read_posterior(path: Path) -> xr.Dataset:
    """Load the whole serving posterior into memory."""
    import xarray as xr

    with xr.open_zarr(path, consolidated=False, chunks=None) as ds:
        return ds.load()


class Registry:
    """Versions, live pointers, promotion and rollback of every model under ``models_dir``."""

    def __init__(self, models_dir: Path | str) -> None:
        self.root = Path(models_dir)

    @classmethod
    def open(cls, models_dir: Path) -> Registry:
        """The store at ``models_dir`` (StoreError when it does not exist)."""
        if not models_dir.is_dir():
            raise StoreError(
                f"model store {models_dir} does not exist: set ALLIANCE_FORECAST_MODELS_DIR "
                "or fit and promote a model with `alliance-forecast fit`"
            )
        return cls(models_dir)

    # ---- reading ------------------------------------------------------------------
    def models(self) -> list[str]:
        """Model names with at least one stored version."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self.list(p.name))

    def list(self, model: str) -> list[dict[str, Any]]:
        """Stored versions of ``model``, oldest first: version, created_at, passed, live."""
        folder = self.root / model
        if not folder.is_dir():
            return []
        live = self.live_version(model)
        out = []
        for d in folder.iterdir():
            if d.name.startswith(".") or not (d / MANIFEST).is_file():
                continue
            try:
                man = json.loads((d / MANIFEST).read_text())
            except (OSError, ValueError):
                continue
            diag = man.get("diagnostics") or {}
            out.append(
                {
                    "version": d.name,
                    "created_at": man.get("created_at"),
                    "train_until": man.get("train_until"),
                    "passed": bool(diag.get("passed")),
                    "failed_gates": diag.get("failed_gates", []),
                    "live": d.name == live,
                }
            )
        return sorted(out, key=lambda r: (r["created_at"] or "", r["version"]))

    def _pointer(self, model: str) -> dict[str, Any]:
        path = self.root / model / POINTER
        if not path.is_file():
            return {"version": None, "history": []}
        fix = f"promote a version with `alliance-forecast models promote {model} <version>`"
        try:
            ptr = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise StoreError(f"pointer {path} is not valid JSON ({exc}); {fix}") from None
        if not isinstance(ptr, dict):
            raise StoreError(f"pointer {path} is not a JSON object; {fix}")
        version = ptr.get("version")
        if version is not None:
            self._check_name(model, version, f"pointer {path}")
        history = ptr.get("history") or []
        if not isinstance(history, list):
            raise StoreError(f"pointer {path}: 'history' is not a list; {fix}")
        return {**ptr, "history": [v for v in history if _valid_name(v)]}

    def _check_name(self, model: str, version: object, where: str) -> str:
        """``version`` if it is a version name inside the store, else StoreError."""
        if not _valid_name(version):
            raise StoreError(
                f"{where} names {str(version)[:120]!r}, which is not a version name "
                "(letters, digits, '_' and '-'); promote a stored version"
            )
        folder = (self.root / model / str(version)).resolve()
        if folder.parent != (self.root / model).resolve():
            raise StoreError(f"{where} names a version outside the store {self.root}")
        return str(version)

    def live_version(self, model: str) -> str | None:
        """Version the pointer of ``model`` names, or None (StoreError when invalid)."""
        return self._pointer(model).get("version")

    def manifest(self, model: str, version: str) -> dict[str, Any]:
        """Manifest of one stored version (StoreError when missing or unreadable)."""
        self._check_name(model, version, f"model {model!r}")
        path = self.root / model / version / MANIFEST
        if not path.is_file():
            known = [r["version"] for r in self.list(model)]
            raise StoreError(
                f"no version {version!r} of model {model!r} in {self.root}; "
                f"known: {known or 'none'}"
            )
        try:
            man = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path} is not valid JSON ({exc}); refit or roll back") from None
        if not isinstance(man, dict):
            raise StoreError(f"{path} is not a JSON object; refit or roll back")
        return man

    def verify(
        self, model: str, version: str | None = None, *, require_passed: bool | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Check a version without loading it: (version, manifest) or StoreError.

        Refuses a missing posterior, a checksum mismatch, a spec hash or artifact format
        that differs from the current code (naming what differs) and, for the live version
        (or when ``require_passed``), a fit that failed its gates. Pure ``hashlib``/``json``.
        """
        from forecast.model.spec import ARTIFACT_FORMAT, VARIANTS

        if require_passed is None:
            require_passed = version is None
        version = version or self.live_version(model)
        if version is None:
            raise StoreError(
                f"model {model!r} has no live version in {self.root}; "
                f"run `alliance-forecast fit --model {model} --promote`"
            )
        man = self.manifest(model, version)
        folder = self.root / model / version
        files = man.get("files")
        if not isinstance(files, dict) or POSTERIOR not in files:
            raise StoreError(f"{model}/{version}: manifest lists no {POSTERIOR}")
        path = folder / POSTERIOR
        if not path.exists():
            raise StoreError(
                f"{model}/{version}: file {POSTERIOR} listed in the manifest is missing"
            )
        if _sha256(path) != files[POSTERIOR]:
            raise StoreError(
                f"{model}/{version}: {POSTERIOR} does not match its sha256 in the "
                "manifest (corrupt or modified); refit or roll back"
            )
        if man.get("format") != ARTIFACT_FORMAT:
            raise StoreError(
                f"{model}/{version}: artifact format {man.get('format')} != "
                f"{ARTIFACT_FORMAT} expected by this code; refit the model"
            )
        spec = VARIANTS.get(man.get("model", model))
        if spec is not None and spec.spec_hash != man.get("spec_hash"):
            current = json.loads(json.dumps(spec.to_dict(), default=list))
            diff = _spec_diff(man.get("spec") or {}, current)
            raise StoreError(
                f"{model}/{version}: spec hash {man.get('spec_hash')} != current "
                f"{spec.spec_hash} (changed: {diff}); refit with "
                f"`alliance-forecast fit --model {model}`"
            )
        diag = man.get("diagnostics") if isinstance(man.get("diagnostics"), dict) else {}
        if require_passed and not diag.get("passed"):
            gates = "; ".join(map(str, diag.get("failed_gates") or ["no diagnostics recorded"]))
            raise StoreError(
                f"{model}/{version} failed its gates ({gates}) and cannot be served; "
                f"roll back with `alliance-forecast models rollback {model}`"
            )
        return version, man

    def load(
        self, model: str, version: str | None = None, *, require_passed: bool | None = None
    ) -> Artifact:
        """Load and validate a version (default: the live one); see :meth:`verify`."""
        version, man = self.verify(model, version, require_passed=require_passed)
        folder = self.root / model / version
        try:
            posterior = read_posterior(folder / POSTERIOR)
        except Exception as exc:  # zarr/xarray raise many types for an unreadable store
            raise StoreError(f"{model}/{version}: {POSTERIOR} cannot be read ({exc})") from exc
        missing = [
            v for v in ("intercept", "beta", "age_effect", "era_effect") if v not in posterior
        ]
        if missing:
            raise StoreError(f"{model}/{version}: posterior lacks variables {missing}")
        return Artifact(model, version, man, posterior, folder)

    def load_elpd(self, model: str, version: str) -> np.ndarray:
        """Pointwise LOO elpd stored beside a version (for stacking)."""
        import numpy as np

        path = self.root / model / version / ELPD
        if not path.is_file():
            raise StoreError(f"{model}/{version} has no pointwise LOO ({ELPD})")
        return np.load(path)

    # ---- writing ------------------------------------------------------------------
    def save(self, result: FitResult, *, promote: bool = False) -> str:
        """Store a fit atomically and return its version (promote it if asked and passed).

        A failed fit is stored (recorded as failed) and ``promote=True`` then raises
        ``GateFailedError`` after saving.
        """
        import numpy as np

        model = result.manifest["model"]
        folder = self.root / model
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        version = f"{stamp}-{result.manifest['spec_hash'][:8]}"
        tmp = folder / f".tmp-{version}-{os.getpid()}"
        tmp.mkdir()
        try:
            write_posterior(result.posterior, tmp / POSTERIOR)
            files = {POSTERIOR: _sha256(tmp / POSTERIOR)}
            if result.elpd_i is not None:
                np.save(tmp / ELPD, np.asarray(result.elpd_i, dtype=np.float32))
                files[ELPD] = _sha256(tmp / ELPD)
            manifest = {**result.manifest, "version": version, "files": files}
            _write_json_durable(tmp / MANIFEST, manifest)
            _fsync_tree(tmp)
            _rename(tmp, folder / version)
            _fsync_dir(folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if promote:
            self.promote(model, version)
        return version

    def _write_pointer(self, model: str, pointer: dict[str, Any]) -> None:
        folder = self.root / model
        tmp = folder / f".{POINTER}.{os.getpid()}.tmp"
        pointer = {
            **pointer,
            "model": model,
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _write_json_durable(tmp, pointer)
        os.replace(tmp, folder / POINTER)
        _fsync_dir(folder)

    def promote(self, model: str, version: str, *, expect_live: object = ANY) -> None:
        """Make ``version`` live under the store lock; refuses a fit that failed its gates
        (GateFailedError) and, when ``expect_live`` is given, a pointer that moved since
        (LockHeldError: someone promoted or rolled back meanwhile; nothing changed)."""
        with store_lock(self.root):
            man = self.manifest(model, version)
            diag = man.get("diagnostics") or {}
            if not diag.get("passed"):
                gates = "; ".join(diag.get("failed_gates") or ["no diagnostics recorded"])
                raise GateFailedError(f"{model}/{version} failed its gates ({gates}); not promoted")
            self.load(model, version)  # validates files and spec before going live
            ptr = self._pointer(model)
            if expect_live is not ANY and ptr.get("version") != expect_live:
                raise LockHeldError(
                    f"the live version of {model} moved from {expect_live} to "
                    f"{ptr.get('version')} while {version} was prepared; not promoted"
                )
            if ptr.get("version") == version:
                return
            history = [*ptr.get("history", []), ptr["version"]] if ptr.get("version") else []
            self._write_pointer(model, {"version": version, "history": history[-50:]})

    def rollback(self, model: str) -> str:
        """Make the previously live version live again (under the store lock) and return it."""
        with store_lock(self.root):
            ptr = self._pointer(model)
            history = list(ptr.get("history", []))
            while history:
                prev = history.pop()
                if (self.root / model / prev / MANIFEST).is_file():
                    self._write_pointer(model, {"version": prev, "history": history})
                    return prev
        raise StoreError(f"model {model!r} has no earlier live version to roll back to")

    def prune(self, model: str, keep: int = 5) -> list[str]:
        """Delete all but the newest ``keep`` versions (never the live one, nor the one a
        rollback would restore) and stale temp folders; returns the deleted versions."""
        if keep < 1:
            raise InputError("keep must be >= 1")
        with store_lock(self.root):
            return self._prune(model, keep)

    def _prune(self, model: str, keep: int) -> list[str]:
        ptr = self._pointer(model)
        protected = {ptr.get("version"), *(ptr.get("history") or [])[-1:]}
        versions = [r["version"] for r in self.list(model)]
        doomed = [v for v in versions[:-keep] if v not in protected]
        folder = self.root / model
        for v in doomed:
            shutil.rmtree(folder / v)
        for d in folder.glob(".tmp-*"):
            if _pid_alive(d.name.rsplit("-", 1)[-1]):
                continue  # a save in progress
            with contextlib.suppress(OSError):
                shutil.rmtree(d)
        return doomed


def _valid_name(version: object) -> bool:
    return isinstance(version, str) and VERSION_RE.fullmatch(version) is not None


def _pid_alive(pid: str) -> bool:
    """True when ``pid`` names a running process (temp folders of live saves are kept)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _spec_diff(old: dict, new: dict) -> str:
    """Comma-separated names of spec fields that differ."""
    keys = sorted(set(old) | set(new))
    diff = [k for k in keys if old.get(k) != new.get(k)]
    return ", ".join(diff) or "artifact format"
