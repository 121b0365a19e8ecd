"""The strawberry GraphQL layer: types, queries, mutations, permissions, errors.

The permission matrix (``permissions``) sits beside the resolvers that apply it, and
``child_tenants`` reads a parent tenant's children's figures for the dashboards (it was
``services/rollups.py``, a name that collided with ``domain/rollup.py``, the monthly roll-up
rule).

The exported contract lives in ``graphql/schema.graphql`` at the top of the repository.
"""
