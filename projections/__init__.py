"""Event → read-model code: one projection per read model, the read-model SQL, the runner."""
