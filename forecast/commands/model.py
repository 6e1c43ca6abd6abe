"""``alliance-forecast fit`` and ``alliance-forecast models list|show|promote|rollback|
compare|prune``: fitting variants and managing the posterior store.

PyMC is imported only inside ``fit`` (and ArviZ inside ``models compare``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from forecast.errors import GateFailedError, InputError

models_app = typer.Typer(
    help="List, inspect, promote, roll back and compare stored fits.", no_args_is_help=True
)


def _registry(models_dir: Path | None):
    from forecast.config import get_settings
    from forecast.store import Registry

    return Registry(models_dir or get_settings().models_dir)


_MODELS_DIR = typer.Option("--models-dir", help="Posterior store (default: settings).")


def fit(
    model: Annotated[
        str, typer.Option(help="Variant: full, realist, institutionalist, domestic, member_exit.")
    ] = "full",
    until: Annotated[
        int | None,
        typer.Option(help="Forecast origin: information known at the end of this year only."),
    ] = None,
    draws: Annotated[
        int | None, typer.Option(min=1, help="Draws per chain (default 1500).")
    ] = None,
    tune: Annotated[int | None, typer.Option(min=0, help="Tuning steps (default 1000).")] = None,
    chains: Annotated[int | None, typer.Option(min=1, help="Chains (default 4).")] = None,
    seed: Annotated[int | None, typer.Option(help="Sampler seed (recorded).")] = None,
    sampler: Annotated[str | None, typer.Option(help="nutpie (default) or pymc.")] = None,
    low_rank: Annotated[
        bool | None, typer.Option(help="nutpie low-rank mass-matrix adaptation.")
    ] = None,
    promote: Annotated[bool, typer.Option(help="Make the fit live if every gate passes.")] = False,
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """Fit a model variant on the shipped panel and store it (failed fits are stored as
    failed and cannot be promoted; exit code 3 when a gate fails). Unset options take
    the ``PRODUCTION`` sampler settings of ``forecast.model.config``."""
    from forecast.config import get_settings
    from forecast.model.config import PRODUCTION, with_overrides
    from forecast.model.covariates import manifest_data_through
    from forecast.model.fit import fit_model
    from forecast.model.spec import get_spec
    from forecast.panel.load import data_manifest_sha256

    spec = get_spec(model)
    settings = get_settings()
    cfg = with_overrides(PRODUCTION, draws=draws, tune=tune, chains=chains, seed=seed,
                         sampler=sampler, low_rank=low_rank)  # fmt: skip
    from forecast.model.members import load_unit_panel

    panel = load_unit_panel(spec.unit, settings.data_dir)
    typer.echo(
        f"fitting {model} (spec {spec.spec_hash}) on {len(panel)} rows"
        f"{'' if until is None else f' up to {until}'} with {cfg.sampler}, "
        f"{cfg.chains} chains x {cfg.draws} draws (+{cfg.tune} tune), seed {cfg.seed}",
        err=True,
    )
    result = fit_model(
        spec,
        panel,
        until=until,
        sampler=cfg,
        progress=True,
        data_manifest_sha256=data_manifest_sha256(settings.data_dir),
        data_through=manifest_data_through(settings.data_dir),
    )
    reg = _registry(models_dir)
    version = reg.save(result)
    d = result.diagnostics
    summary = {"model": model, "version": version, **d.model_dump(),
               "loo_elpd": result.manifest.loo.elpd if result.manifest.loo else None,
               "fit_wall_s": result.manifest.fit_wall_s}  # fmt: skip
    typer.echo(json.dumps(summary, indent=2))
    if not result.passed:
        raise GateFailedError(f"{model}/{version} stored as failed: {'; '.join(d.failed_gates)}")
    if promote:
        reg.promote(model, version)
        typer.echo(f"promoted {model}/{version}", err=True)


@models_app.command("list")
def list_(
    model: Annotated[str | None, typer.Argument(help="Model (default: all).")] = None,
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """Stored versions, oldest first (* = live, FAILED = did not pass its gates)."""
    reg = _registry(models_dir)
    names = [model] if model else reg.models()
    if not names:
        typer.echo("no stored models", err=True)
    for name in names:
        for r in reg.list(name):
            mark = "*" if r["live"] else " "
            status = "passed" if r["passed"] else "FAILED"
            typer.echo(f"{mark} {name:18} {r['version']:34} until {r['train_until']}  {status}")


@models_app.command()
def show(
    model: str,
    version: Annotated[str | None, typer.Argument(help="Version (default: live).")] = None,
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """Print the manifest of a stored version (diagnostics, LOO, scaling, seeds)."""
    reg = _registry(models_dir)
    version = version or reg.live_version(model)
    if version is None:
        raise InputError(f"model {model!r} has no live version; name one (see `models list`)")
    typer.echo(json.dumps(reg.manifest(model, version), indent=2, sort_keys=True))


@models_app.command("promote")
def promote_(
    model: str,
    version: str,
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """Make a stored version live (refused, exit 3, if it failed its gates)."""
    _registry(models_dir).promote(model, version)
    typer.echo(f"{model}: live version is now {version}")


@models_app.command()
def rollback(
    model: str,
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """Make the previously live version live again."""
    version = _registry(models_dir).rollback(model)
    typer.echo(f"{model}: rolled back to {version}")


@models_app.command()
def prune(
    model: str,
    keep: Annotated[int, typer.Option(min=1, help="Versions to keep besides live.")] = 5,
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """Delete old versions (never the live one nor its rollback target)."""
    gone = _registry(models_dir).prune(model, keep)
    typer.echo(f"{model}: deleted {len(gone)} versions" + (f": {', '.join(gone)}" if gone else ""))


@models_app.command()
def compare(
    models: Annotated[
        str, typer.Option(help="Comma-separated models (live version of each).")
    ] = "realist,institutionalist,domestic,full",
    output: Annotated[Path | None, typer.Option(help="Also write the table as JSON.")] = None,
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """PSIS-LOO comparison with stacking weights of the live versions of ``--models``."""
    from forecast.model.compare import compare_versions

    reg = _registry(models_dir)
    picks = {}
    for m in [s.strip() for s in models.split(",") if s.strip()]:
        v = reg.live_version(m)
        if v is None:
            raise InputError(f"model {m!r} has no live version; fit and promote it first")
        picks[m] = v
    rows = compare_versions(reg, picks)
    for r in rows:
        typer.echo(
            f"{r['rank']} {r['model']:18} elpd {r['elpd']:10.1f} (se {r['se']:.1f})  "
            f"diff {r['elpd_diff']:7.1f} (dse {r['dse']:.1f})  weight {r['weight']:.3f}"
        )
    if output:
        output.write_text(json.dumps(rows, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Attach ``fit`` and the ``models`` group to the root app."""
    app.command()(fit)
    app.add_typer(models_app, name="models")
