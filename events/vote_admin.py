"""The organisers' view of the public vote in the Wagtail admin (registered from wagtail_hooks)."""
