from django.conf import settings
from django.core.management.base import BaseCommand

from tickets.services.retention import anonymise_orders, orders_due, retention_cutoff


class Command(BaseCommand):
    help = (
        "Anonymises the attendees and buyers of editions that ended more than PERSONAL_DATA_RETENTION_MONTHS ago, "
        "keeping the accounting records. The task worker also does this once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=settings.PERSONAL_DATA_RETENTION_MONTHS)
        parser.add_argument("--dry-run", action="store_true", help="Only say how many orders are due.")
        parser.add_argument(
            "--schedule", action="store_true", help="Queue the daily run on the task worker (once, on deploy)."
        )

    def handle(self, *args, months, dry_run, schedule, **options):
        if schedule:
            from tickets.tasks import schedule_daily_anonymisation

            queued = schedule_daily_anonymisation()
            self.stdout.write(
                "The daily anonymisation is queued." if queued else "The daily anonymisation was queued already."
            )
            return
        due = orders_due(months=months)
        cutoff = retention_cutoff(months=months)
        if dry_run:
            self.stdout.write(f"{due.count()} orders of editions that ended before {cutoff} are due.")
            return
        count = anonymise_orders(due)
        self.stdout.write(self.style.SUCCESS(f"Anonymised {count} orders of editions that ended before {cutoff}."))
