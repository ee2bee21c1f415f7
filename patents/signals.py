from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .history_guard import install_history_guards


@receiver(post_migrate, dispatch_uid="patents.install_history_guards")
def _guard_history_tables(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    # Runs once per app after migrate; only the last app matters, but it is cheap and idempotent.
    if sender.name == "patents" or sender.name == "deadlines":
        install_history_guards(connections[using])
