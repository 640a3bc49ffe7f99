"""The jury's and the organisers' side of the awards in the Wagtail admin (registered from wagtail_hooks)."""
