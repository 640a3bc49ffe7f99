from django.core.management.base import BaseCommand
from django.db import transaction

from events.demo import seed_award_rounds, seed_editions, seed_event_pages, seed_programme
from home.demo import seed_content_pages, seed_home, seed_people
from tickets.demo import seed_checkin_lists, seed_demo_orders, seed_ticket_shop


class Command(BaseCommand):
    help = (
        "Creates the demo site: pages in Swedish and English, editions, the upcoming programme, awards, staff groups "
        "and users."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        home = seed_home()
        edition = seed_editions()
        seed_programme(edition)
        registration = seed_content_pages(home)
        for translated_home in home.get_translations(inclusive=True).specific():
            if translated_home.registration_page_id is None:
                translated_home.registration_page = registration.get_translation(translated_home.locale)
                translated_home.save_revision().publish()
        seed_event_pages(home, edition)
        seed_people(home)
        seed_award_rounds(edition)
        seed_ticket_shop(edition)
        seed_demo_orders(edition)
        seed_checkin_lists(edition)
        sessions = edition.sessions.count()
        self.stdout.write(
            self.style.SUCCESS(f"Demo content ready: {edition.name} in {edition.city}, {sessions} sessions.")
        )
