"""Công Tâm's benchmark instrument (issue #8): figures, not tests. Run ``python -m bench``."""
