from django.core.management.base import BaseCommand, CommandError

from events.models import Edition
from tickets.models import ScannerDevice


class Command(BaseCommand):
    help = (
        "Creates a scanner device for the door staff and prints its token, for `Authorization: Bearer …` on the "
        "check-in API. The token is shown once; revoke the device in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="e.g. “Dörr A”")
        parser.add_argument("--edition", type=int, help="the edition's year (default: the upcoming edition)")

    def handle(self, *args, name, edition, **options):
        editions = Edition.objects.filter(year=edition) if edition else Edition.objects.upcoming()
        chosen = editions.first()
        if chosen is None:
            raise CommandError("No such edition." if edition else "There is no upcoming edition.")
        device, token = ScannerDevice.create_with_token(edition=chosen, name=name.strip())
        self.stderr.write(f"Scanner device “{device.name}” for {chosen.name}. Its token (shown only now):")
        self.stdout.write(token)
