from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hsb_portal.accounts"
    label = "accounts"
    verbose_name = "People, agencies and local authorities"
