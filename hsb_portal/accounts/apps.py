from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hsb_portal.accounts"
    label = "accounts"
    verbose_name = "People, agencies and local authorities"

    def ready(self) -> None:
        from hsb_portal.accounts import (
            changes,  # noqa: F401  (changes to people, audited)
            sessions,  # noqa: F401  (the register of sessions)
        )
