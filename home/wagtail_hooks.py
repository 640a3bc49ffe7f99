from home import privacy_admin  # noqa: F401  (personal data requests: the page, its menu item, log lines)
from home.two_factor import admin_hooks  # noqa: F401  (two-factor log-in: the account page's entry, log lines)
