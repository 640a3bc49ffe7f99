"""Two-factor log-in for the admin: a TOTP app and ten single-use recovery codes, on django-otp's own devices.

Who needs it (`services.needs_second_factor`): everyone who can publish or see personal data (superusers, the
groups Redaktörer, Arrangörer and Jury, anyone with admin access who may publish pages or see orders, attendees,
nominations or votes). With `TWO_FACTOR_REQUIRED` (production) they cannot open an admin page before they have
confirmed their log-in; without it (the demo, development) nobody is forced, but whoever has set up a second
factor is asked for it. Door staff keep using the scanner with a password or their devices' revocable tokens.

The flow, after Wagtail's own password log-in (`middleware.TwoFactorMiddleware` enforces it):
    /admin/2fa/verify/          the code from the app, or a recovery code
    /admin/2fa/enrol/           QR code and secret, a code to confirm, then the recovery codes, shown once
    /admin/2fa/                 the account page's entry: status, new recovery codes, turn off where optional
Resetting someone else's: `manage.py reset_two_factor <username>`.
"""
