"""GraphiQL (development only) from our own vendored files, so it works offline: strawberry's
page loads React and GraphiQL from a public CDN; this one loads them from /static/vendor/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PAGE = (Path(__file__).resolve().parent / "templates" / "graphiql.html").read_text(
    encoding="utf-8")


def with_offline_ide(controller: type[Any]) -> type[Any]:
    """The GraphQL controller, its IDE page pointing at vendored assets."""

    class OfflineIde(controller):  # type: ignore[misc,valid-type]
        @property
        def graphql_ide_html(self) -> str:
            return PAGE

    return OfflineIde
