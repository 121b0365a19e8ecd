"""The runnable parts: API, projector, CLI, tenant routing, auth. Commands enter here."""
