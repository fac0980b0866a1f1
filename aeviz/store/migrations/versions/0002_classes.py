"""Classes: a join code, an assignment (the swept hyper-parameter), members, and the models they share.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("code", sa.String(6), unique=True),
        sa.Column("teacher", sa.String(64), nullable=False),
        sa.Column("teacher_person", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(80), nullable=False),
        sa.Column("preset", sa.String(60), nullable=False),
        sa.Column("param", sa.String(20), nullable=False),
        sa.Column("lo", sa.Float, nullable=False),
        sa.Column("hi", sa.Float, nullable=False),
        sa.Column("locked", sa.Integer, nullable=False, server_default="0"),
        sa.Column("paused", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("ended", sa.Float),
    )
    op.create_table(
        "members",
        sa.Column("class_id", sa.String(32), sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("person", sa.String(64), primary_key=True),
        sa.Column("nickname", sa.String(40), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("slot", sa.Integer, nullable=False),
        sa.Column("respins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("removed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("joined", sa.Float, nullable=False),
    )
    op.create_table(
        "class_models",
        sa.Column("model", sa.String(64), sa.ForeignKey("models.name", ondelete="CASCADE"), primary_key=True),
        sa.Column("class_id", sa.String(32), sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person", sa.String(64), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("shared", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_index("class_models_class", "class_models", ["class_id", "created"])


def downgrade() -> None:
    for table in ("class_models", "members", "classes"):
        op.drop_table(table)
