"""Every projection, and the DDL of the read models they own."""

from __future__ import annotations

import re
from importlib.resources import files

from projections.appeals import AppealsProjection
from projections.base import Projection
from projections.boards import BoardsProjection
from projections.collectives import CollectivesProjection
from projections.commendations import CommendationsProjection
from projections.leaders import LeadersProjection
from projections.organisation import OrganisationProjection
from projections.periods import PeriodsProjection
from projections.policies import PoliciesProjection
from projections.ratings import RatingsProjection
from projections.timeline import TimelineProjection
from projections.trends import TrendsProjection
from projections.work import WorkProjection

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
    CommendationsProjection,
    WorkProjection,
)


def platform_ddl() -> str:
    return files("projections").joinpath("sql/platform.sql").read_text(encoding="utf-8")


def tenant_ddl(schema: str) -> str:
    text = files("projections").joinpath("sql/tenant.sql").read_text(encoding="utf-8")
    return text.replace("{schema}", schema)


# A secondary index of the tenant DDL: ``CREATE INDEX`` up to its semicolon.
_SECONDARY_INDEX = re.compile(r"^CREATE INDEX IF NOT EXISTS [^;]*;\n?", re.MULTILINE)


def tenant_ddl_deferred(schema: str) -> tuple[str, str]:
    """The tenant DDL as (tables, their keys and constraints) and (secondary indexes): a
    rebuild fills fresh tables with the first and builds the second once they are full,
    in one pass instead of an index insert per row written."""
    text = tenant_ddl(schema)
    return _SECONDARY_INDEX.sub("", text), "".join(_SECONDARY_INDEX.findall(text))
