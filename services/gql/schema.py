"""The schema: root types, limits, and error policy."""

from __future__ import annotations

import strawberry
from graphql.error import GraphQLError
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from services.gql.appeals import AppealMutation, AppealQuery
from services.gql.audit import AuditAsOfQuery, AuditQuery
from services.gql.collectives import CollectiveMutation, CollectiveQuery
from services.gql.commendations import CommendationMutation, CommendationQuery
from services.gql.dashboards import DashboardQuery
from services.gql.evaluation_queries import EvaluationQuery
from services.gql.guard import CostLimit, guard_root_fields
from services.gql.input_values import plan_inputs
from services.gql.leaves import LeafExecution
from services.gql.mutations import Mutation as RatingMutation
from services.gql.operation import OperationPolicy
from services.gql.organisation import OrganisationMutation
from services.gql.pending_work import PendingWorkQuery
from services.gql.personal_data import PersonalDataMutation
from services.gql.policy import PolicyMutation, PolicyQuery
from services.gql.queries import Query as CoreQuery
from services.gql.reorganisation import ReorganisationMutation, ReorganisationQuery
from services.gql.subscriptions import Subscription
from services.gql.work import WorkMutation, WorkQuery

MAX_DEPTH = 8
MAX_ALIASES = 30
MAX_TOKENS = 2000


@strawberry.type
class Query(CoreQuery, DashboardQuery, AppealQuery, PolicyQuery, EvaluationQuery, AuditQuery,
            AuditAsOfQuery, ReorganisationQuery, CollectiveQuery, WorkQuery,
            CommendationQuery, PendingWorkQuery):
    """The root query, assembled from one mixin per feature."""


@strawberry.type
class Mutation(RatingMutation, OrganisationMutation, AppealMutation, PolicyMutation,
               ReorganisationMutation, CollectiveMutation, PersonalDataMutation, WorkMutation,
               CommendationMutation):
    """The root mutation, assembled from one mixin per feature."""


class CongTamSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        """Logging happens in ErrorPolicy: expected refusals are not incidents."""


def build_schema(*, production: bool = False) -> CongTamSchema:
    """The schema with its guards. In production, introspection is refused too (GraphiQL is
    not served either, services/http/api.py): clients use the published SDL in graphql/."""
    # The rule classes are made once here, not per request (strawberry's depth and alias
    # limiters make a fresh class in their constructors), and run as one extension.
    rules: list[type[ASTValidationRule]] = [depth_rule(MAX_DEPTH, None),
                                            alias_rule(MAX_ALIASES), CostLimit]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    built = CongTamSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=True),
        # Plain leaf objects (a board's rows) completed in one pass (services/gql/leaves.py).
        execution_context_class=LeafExecution,
        # A fresh extension per request: the token limit, depth, aliases, cost (and
        # introspection); dashboards send the same few documents over and over, so each
        # text is validated once per schema (variables are still checked on every
        # request); then the errors are shaped and counted (services/gql/operation.py).
        extensions=[lambda: OperationPolicy(rules, MAX_TOKENS)],
    )
    # The permission matrix in front of every root field (services/gql/guard.py): once per
    # root field, not a ``resolve`` extension around every field of the answer.
    guard_root_fields(built._schema)
    # Input objects built from a plan per type (services/gql/input_values.py).
    plan_inputs(built)
    return built


schema = build_schema()


def sdl() -> str:
    return schema.as_str() + "\n"
