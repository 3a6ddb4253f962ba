"""The demo data carries the traffic light tool and each demo authority's guidance."""

import pytest
from django.core.management import call_command

from hsb_portal.accounts.models import LocalAuthority
from triage.guidance import advice_for
from triage.models import BrookBehaviour, Colour, GuidanceRule, NextStep

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_catalogue_and_guidance_once_however_often_it_runs() -> None:
    call_command("seed_demo", throwaway_demo=True)
    call_command("seed_demo", throwaway_demo=True)

    assert BrookBehaviour.objects.count() == 88
    assert GuidanceRule.objects.count() == 6


@pytest.mark.parametrize("code", ["harbourside", "eastmoor"])
def test_each_demo_authority_has_its_own_guidance_for_every_colour(code) -> None:
    call_command("seed_demo", throwaway_demo=True)
    authority = LocalAuthority.objects.get(code=code)

    red = advice_for(authority, Colour.RED)

    assert not red.is_default
    assert red.recommended_next_step == NextStep.REFER
    assert f"{authority.name.split()[0]} MASH and Contact Service" in red.advice_text
    assert {advice_for(authority, c).is_default for c in Colour} == {False}
