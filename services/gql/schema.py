"""The schema: root types, limits, and error policy."""

from __future__ import annotations

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from services.gql.appeals import AppealMutation, AppealQuery
from services.gql.audit import AuditAsOfQuery, AuditQuery
from services.gql.collectives import CollectiveMutation, CollectiveQuery
from services.gql.dashboards import DashboardQuery
from services.gql.errors import ErrorPolicy
from services.gql.evaluation_queries import EvaluationQuery
from services.gql.mutations import Mutation as RatingMutation
from services.gql.organisation import OrganisationMutation
from services.gql.personal_data import PersonalDataMutation
from services.gql.policy import PolicyMutation, PolicyQuery
from services.gql.queries import Query as CoreQuery
from services.gql.reorganisation import ReorganisationMutation, ReorganisationQuery
from services.gql.subscriptions import Subscription

MAX_DEPTH = 8
MAX_ALIASES = 30
MAX_TOKENS = 2000

@strawberry.type
class Query(CoreQuery, DashboardQuery, AppealQuery, PolicyQuery, EvaluationQuery, AuditQuery,
            AuditAsOfQuery, ReorganisationQuery, CollectiveQuery):
    """The root query, assembled from one mixin per feature."""


@strawberry.type
class Mutation(RatingMutation, OrganisationMutation, AppealMutation, PolicyMutation,
               ReorganisationMutation, CollectiveMutation, PersonalDataMutation):
    """The root mutation, assembled from one mixin per feature."""


class CongTamSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        """Logging happens in ErrorPolicy: expected refusals are not incidents."""


schema = CongTamSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(auto_camel_case=True),
    extensions=[  # strawberry accepts extension instances; its annotation lags behind
        QueryDepthLimiter(max_depth=MAX_DEPTH),  # type: ignore[list-item]
        MaxAliasesLimiter(max_alias_count=MAX_ALIASES),  # type: ignore[list-item]
        MaxTokensLimiter(max_token_count=MAX_TOKENS),  # type: ignore[list-item]
        ErrorPolicy,
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"
