"""The HTTP edge: the litestar application (``api``), who is calling (``auth`` with
``jwks``), and what a caller may spend (``limits`` with the shared ``rate_buckets``).
"""
