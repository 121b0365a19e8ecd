"""Demo data: ``tenants`` loads the demo tenants (Long Biên and its wards, Hoàng Mai,
Mỹ Đức); ``year``, ``records`` and ``appeals`` add a year of decisions, older records and
appeals to them. Used by ``congtam demo``/``serve --demo`` and by tests, never by the API.
"""
