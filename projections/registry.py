"""Every projection, and the DDL of the read models they own."""

from __future__ import annotations

from importlib.resources import files

from projections.appeals import AppealsProjection
from projections.base import Projection
from projections.boards import BoardsProjection
from projections.collectives import CollectivesProjection
from projections.leaders import LeadersProjection
from projections.organisation import OrganisationProjection
from projections.periods import PeriodsProjection
from projections.policies import PoliciesProjection
from projections.ratings import RatingsProjection
from projections.timeline import TimelineProjection
from projections.trends import TrendsProjection

PROJECTIONS: tuple[type[Projection], ...] = (
    OrganisationProjection,
    PeriodsProjection,
    PoliciesProjection,
    RatingsProjection,
    BoardsProjection,
    TimelineProjection,
    TrendsProjection,
    AppealsProjection,
    LeadersProjection,
    CollectivesProjection,
)


def platform_ddl() -> str:
    return files("projections").joinpath("sql/platform.sql").read_text(encoding="utf-8")


def tenant_ddl(schema: str) -> str:
    text = files("projections").joinpath("sql/tenant.sql").read_text(encoding="utf-8")
    return text.replace("{schema}", schema)
