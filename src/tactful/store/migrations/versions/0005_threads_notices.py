"""threads and notices: the parts of a delivery and those already out, the part an attempt
was for, a connected account's own limits, and notices for the user (a failed refresh)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("posted", sa.JSON(), nullable=True))
    with op.batch_alter_table("outbox_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("account_credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limits", sa.JSON(), nullable=True))
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )


def downgrade() -> None:
    op.drop_table("notices")
    with op.batch_alter_table("account_credentials", schema=None) as batch_op:
        batch_op.drop_column("limits")
    with op.batch_alter_table("outbox_attempts", schema=None) as batch_op:
        batch_op.drop_column("part")
    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.drop_column("posted")
        batch_op.drop_column("parts")
