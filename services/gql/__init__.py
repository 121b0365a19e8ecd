"""The strawberry GraphQL layer: types, queries, mutations, permissions, errors.

The exported contract lives in ``graphql/schema.graphql`` at the top of the repository.
"""
