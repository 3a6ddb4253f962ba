"""All or nothing, and exactly one claimant (security.md §5): a failure part-way through making
the referrals leaves no partial rows, and screeners racing to take a referral have one winner."""

import threading

import pytest
from django.db import connection

from hsb_portal.accounts.models import Role
from hsb_portal.audit import log as audit_log
from hsb_portal.audit.models import AuditEvent
from referrals import services
from referrals.models import Referral, ReferralEvent, ReferralGroup, ReferralStatus
from tests.referrals.conftest import make_referrals
from triage.models import ConcernEvent, ConcernStatus


class Injected(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_a_failure_after_any_write_leaves_no_partial_referrals(
    fail_at, concern_to_refer, dsl, monkeypatch
) -> None:
    # The audit events of making the referrals: Riley's, Sam's, then the concern's.
    real_record = audit_log.record
    calls = {"n": 0}

    def record_then_fail(*args, **kwargs):
        calls["n"] += 1
        event = real_record(*args, **kwargs)
        if calls["n"] == fail_at:
            raise Injected
        return event

    monkeypatch.setattr(audit_log, "record", record_then_fail)
    events_before = AuditEvent.objects.count()

    with pytest.raises(Injected):
        make_referrals(concern_to_refer, dsl)

    assert Referral.objects.count() == ReferralGroup.objects.count() == 0
    assert ReferralEvent.objects.count() == 0
    assert AuditEvent.objects.count() == events_before
    concern_to_refer.refresh_from_db()
    assert concern_to_refer.status == ConcernStatus.TO_BE_REFERRED
    assert not ConcernEvent.objects.filter(concern=concern_to_refer, kind="referred").exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_screeners_racing_to_take_a_referral_have_exactly_one_winner(
    concern_to_refer, dsl, member
) -> None:
    referral = make_referrals(concern_to_refer, dsl)[0]
    screeners = [member(Role.MASH_SCREENER) for _ in range(8)]
    barrier = threading.Barrier(len(screeners))
    outcomes: list[str] = []

    def race(screener) -> None:
        copy = Referral.objects.get(pk=referral.pk)
        barrier.wait()
        try:
            services.take_referral(referral=copy, by=screener.user, membership=screener)
        except services.AlreadyTaken:
            outcomes.append("lost")
        else:
            outcomes.append("won")
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(s,)) for s in screeners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.IN_SCREENING
    assert referral.events.filter(kind="taken").count() == 1
