"""The auditor's tools: history, as-of state, replay, checkpoints and export bundles."""
