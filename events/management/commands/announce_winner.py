"""`manage.py announce_winner <award-slug>`: the reveal from a script, the same service as the admin's button."""

from django.core.management.base import BaseCommand, CommandError

from events.live.services import RevealError, announce_winner, retract_winner
from events.live.state import find_award, published_state


class Command(BaseCommand):
    help = (
        "Reveals the winner of the award with this slug (the Swedish award page's) by publishing its latest draft; "
        "with --retract, takes a revealed winner back."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the Swedish award page's slug, e.g. omfamningen")
        parser.add_argument(
            "--retract", action="store_true", help="take the revealed winner back (publish the award without one)"
        )

    def handle(self, *args, slug, retract, **options):
        award = find_award(slug)
        if award is None:
            raise CommandError(f"No live award page has the slug “{slug}”.")
        # The first state a process builds imports the URL configuration (~0.2 s): done now, not between the
        # commit and the broadcast that the whole hall is waiting for.
        published_state(award)
        try:
            if retract:
                retract_winner(award)
            else:
                award = announce_winner(award)
        except RevealError as error:
            raise CommandError(f"{error.message} ({error.code})") from error
        if retract:
            self.stdout.write(self.style.SUCCESS(f"{award.title}: the winner is taken back."))
        else:
            winner = award.revealed_winner()
            self.stdout.write(self.style.SUCCESS(f"{award.title}: {winner.title} is revealed as the winner."))
