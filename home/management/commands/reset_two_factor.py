"""`manage.py reset_two_factor <username>`: for someone who lost their phone and their recovery codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from home.two_factor.services import needs_second_factor, remove_second_factor


class Command(BaseCommand):
    help = (
        "Removes a person's authenticator app and recovery codes, and confirms no log-in of theirs any longer. "
        "Where two-factor log-in is required, they set up a new app at their next log-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        removed = remove_second_factor(user, reset=True)
        self.stdout.write(f"{username}: {removed} device(s) removed.")
        if needs_second_factor(user):
            self.stdout.write("They need a second factor: they will set up a new app at their next log-in.")
