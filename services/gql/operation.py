"""What every operation goes through, as one schema extension.

The token limit and the validation rules (depth, aliases, cost, introspection in
production) are set before parsing, documents already judged are reused
(``ValidDocuments``), and afterwards the errors are shaped (``ErrorPolicy``) and then
counted with the operation's time (``OperationMetrics``, which so sees their codes).
strawberry wraps each hook of each extension in a context manager of its own, per request:
one extension with three hooks, where five extensions had six.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from graphql.validation import ASTValidationRule

from services.gql.errors import ErrorPolicy
from services.gql.guard import ValidDocuments
from services.metrics import OperationMetrics


class OperationPolicy(ValidDocuments):
    def __init__(self, rules: Sequence[type[ASTValidationRule]], max_tokens: int) -> None:
        self._rules = tuple(rules)
        self._max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        context = self.execution_context
        context.parse_options["max_tokens"] = self._max_tokens
        context.validation_rules = context.validation_rules + self._rules
        yield
        ErrorPolicy.apply(context)
        OperationMetrics.record(context, started)
