from django.core.management.base import BaseCommand

from patents.demo import DEMO_PASSWORD, USERS, seed_demo


class Command(BaseCommand):
    help = "Load the demo portfolio (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        counts = seed_demo()
        self.stdout.write(
            f"demo data: {counts['users']} users created, {counts['matters_changed']} matters created/updated, "
            f"{counts['events_created']} office events recorded"
        )
        names = ", ".join(u.username for u in USERS)
        self.stdout.write(f"demo logins: {names} — password: {DEMO_PASSWORD}")
