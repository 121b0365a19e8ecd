"""The platform: tenants and everything about them that is not one tenant's business.

``tenants`` (the registry and each tenant's schema), ``onboarding`` (registering one),
``tenant_move`` (moving one between databases), ``grants`` (cross-tenant roles),
``platform_log`` (the platform's own event log: grants, checkpoints, placements, erasures)
and ``erasure`` (crypto-erasure of a person's data, recorded in that log).

``erasure`` is here, not in ``services/app``: it spans tenants, records in the platform log
and rebuilds read models, so it needs the runtime and the registry rather than one
tenant's aggregates.
"""
