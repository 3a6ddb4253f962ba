"""The demo social worker may lead AIM assessments (domain.md §7)."""

from datetime import date

import pytest
from django.core.management import call_command

from hsb_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_social_worker_is_aim_certified_and_seeding_again_keeps_it(capsys) -> None:
    call_command("seed_demo", throwaway_demo=True)
    call_command("seed_demo", throwaway_demo=True)

    certified = User.objects.filter(aim_certified_on__isnull=False)
    assert [(user.email, user.aim_certified_on) for user in certified] == [
        ("socialworker@harbourside.example", date(2024, 9, 12))
    ]
    assert certified.get().is_aim_trained
