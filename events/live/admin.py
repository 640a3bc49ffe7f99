"""The editors' side of the reveal in the Wagtail admin (imported by events/wagtail_hooks.py)."""
