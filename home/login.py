"""The admin's log-in (also the scanner page's): Wagtail's own, with a limit on failed attempts per username and per
address (settings.RATE_LIMITS `login_user`, `login_ip`), served at /admin/login/ in place of Wagtail's."""

from django.contrib import messages
from django.utils.translation import ngettext
from wagtail.admin.views import account

from home import ratelimit

USERNAME_FIELD = "username"  # the name of the field in Django's AuthenticationForm, whatever the user model's is


class LoginView(account.LoginView):
    """Each attempt is counted before the password is checked, so that a script's simultaneous guesses cannot all
    slip through, and a successful one gives its count back: what remains are failed attempts. Once either limit
    is reached the page answers 429 without checking the password, even a right one, until the window ends."""

    def post(self, request, *args, **kwargs):
        try:
            for name, identifier in self._limits():
                ratelimit.count_attempt(name, identifier)
        except ratelimit.RateLimited as limited:
            return self._refuse(limited)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        for name, identifier in self._limits():
            ratelimit.give_back(name, identifier)
        return super().form_valid(form)

    def _limits(self):
        username = self.request.POST.get(USERNAME_FIELD, "").strip()
        limits = [("login_ip", ratelimit.client_ip(self.request))]
        return [*limits, ("login_user", username)] if username else limits

    def _refuse(self, limited):
        """The log-in page again (the username kept, the password not checked) saying when to try again."""
        messages.error(self.request, refusal_message(limited))
        form = self.get_form_class()(self.request, initial={USERNAME_FIELD: self.request.POST.get(USERNAME_FIELD, "")})
        return ratelimit.as_429(self.render_to_response(self.get_context_data(form=form)), limited)


def refusal_message(limited):
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        limited.minutes,
    ) % {"minutes": limited.minutes}
