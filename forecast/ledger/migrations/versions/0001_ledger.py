"""The ledger: forecasts, imports, scoring runs and scores; append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("forecasts", "imports", "scoring_runs", "scores")


def upgrade() -> None:
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(240), nullable=False, unique=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("data_sha256", sa.String(64)),
        sa.Column("as_of", sa.Integer, nullable=False),
        sa.Column("atopid", sa.Integer, nullable=False),
        sa.Column("member", sa.Integer),
        sa.Column("horizon", sa.Integer, nullable=False),
        sa.Column("alliance_type", sa.String(32)),
        sa.Column("p_end", sa.Float, nullable=False),
        sa.Column("p_end_lo", sa.Float),
        sa.Column("p_end_hi", sa.Float),
        sa.Column("p_abrogation", sa.Float),
        sa.Column("p_replacement", sa.Float),
        sa.Column("p_natural", sa.Float),
        sa.Column("p_exogenous", sa.Float),
        sa.Column("source", sa.String(240), nullable=False),
        sa.CheckConstraint("kind IN ('live', 'backtest')", name="ck_forecasts_kind"),
        sa.CheckConstraint("horizon >= 1", name="ck_forecasts_horizon"),
        sa.CheckConstraint("p_end >= 0 AND p_end <= 1", name="ck_forecasts_p_end"),
    )
    op.create_index("ix_forecasts_kind", "forecasts", ["kind"])
    op.create_index("ix_forecasts_atopid", "forecasts", ["atopid"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "scoring_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_sha256", sa.String(64)),
        sa.Column("data_through", sa.Integer, nullable=False),
        sa.Column("n_scored", sa.Integer, nullable=False),
    )
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("scoring_runs.id"), nullable=False),
        sa.Column("forecast_id", sa.Integer, sa.ForeignKey("forecasts.id"), nullable=False),
        sa.Column("ended", sa.Integer, nullable=False),
        sa.Column("end_year", sa.Integer),
        sa.Column("cause", sa.String(32)),
        sa.Column("brier", sa.Float, nullable=False),
        sa.Column("log_loss", sa.Float, nullable=False),
        sa.UniqueConstraint("run_id", "forecast_id"),
    )
    op.create_index("ix_scores_run_id", "scores", ["run_id"])
    op.create_index("ix_scores_forecast_id", "scores", ["forecast_id"])
    _append_only(op.get_bind().dialect.name)


def _append_only(dialect: str) -> None:
    """Triggers that reject UPDATE and DELETE: the ledger only grows."""
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the forecast ledger is append-only: % on % refused', "
            "TG_OP, TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
        )
        for t in TABLES:
            op.execute(
                f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
    elif dialect == "sqlite":
        for t in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {t}_no_{action.lower()} BEFORE {action} ON {t} BEGIN "
                    f"SELECT RAISE(ABORT, 'the forecast ledger is append-only: {action} on {t} "
                    "refused'); END"
                )


def downgrade() -> None:
    for t in reversed(TABLES):
        op.drop_table(t)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
