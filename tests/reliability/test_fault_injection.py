"""All or nothing (security.md §5, transactions): a database fault after any write step of
making the referrals, recording a screening decision, closing a case with no further action
or allocating a social worker leaves every table, the audit log and its chain head as they
were, and the person is told to try again (the 503 page), never shown a half-saved record.

The fault is injected by Django's ``connection.execute_wrapper``: the Nth INSERT, UPDATE or
DELETE runs, then the database "fails" with the error a dropped connection raises. N runs
from 1 to the number of writes a successful run makes, counted first on the same state.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Membership
from referrals.models import Referral, ReferralStatus
from tests.conftest import signed_in
from tests.factories import ReferralFactory
from tests.referrals.conftest import decide, refer_post, take
from tests.referrals.test_screening import screening_post
from triage.models import Concern, Part

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")
# The session is saved after the view has answered, outside the use-case.
NOT_THE_USE_CASE = ('"django_session"', "django_session")


class FaultAfterWrite:
    """Counts write statements; with ``at``, fails just after the ``at``-th one has run."""

    def __init__(self, at: int | None = None) -> None:
        self.at = at
        self.writes: list[str] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        result = execute(sql, params, many, ctx)
        is_write = sql.lstrip().upper().startswith(WRITES)
        if is_write and not any(table in sql for table in NOT_THE_USE_CASE):
            self.writes.append(sql.split("(")[0][:60])
            if len(self.writes) == self.at:
                raise OperationalError(f"fault injected after write {self.at}")
        return result


def every_row() -> dict[str, list[str]]:
    """Every row of every table, the audit tables and the chain head included."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows


def writes_of_a_successful_run(use_case: Callable[[], Any]) -> list[str]:
    """Run the use-case once and undo it, to learn how many write steps it has."""
    counter = FaultAfterWrite()
    point = transaction.savepoint()
    with connection.execute_wrapper(counter):
        response = use_case()
    transaction.savepoint_rollback(point)
    assert response.status_code == 302, "the use-case must succeed without a fault"
    return counter.writes


def inject_a_fault_after_each_write(use_case: Callable[[], Any]) -> int:
    writes = writes_of_a_successful_run(use_case)
    assert writes, "the use-case wrote nothing"
    for step in range(1, len(writes) + 1):
        before = every_row()

        with connection.execute_wrapper(FaultAfterWrite(at=step)):
            response = use_case()

        assert response.status_code == 503, f"after write {step} ({writes[step - 1]})"
        assert "Sorry, the service is unavailable" in response.text
        assert every_row() == before, f"partial rows after write {step} ({writes[step - 1]})"
    return len(writes)


def poster(membership: Membership) -> Callable[[str, dict[str, Any]], Any]:
    client = signed_in(Client(raise_request_exception=False), membership)
    return client.post


def test_a_fault_after_any_write_of_making_the_referrals_leaves_nothing(
    concern_to_refer: Concern, dsl: Membership
) -> None:
    post = poster(dsl)
    url = reverse("referrals:concern-refer", args=[concern_to_refer.public_id])
    data = refer_post(concern_to_refer)

    faults = inject_a_fault_after_each_write(lambda: post(url, data))

    print(f"make referrals: {faults} faults injected")
    assert faults >= 3


def test_a_fault_after_any_write_of_a_screening_decision_leaves_nothing(
    referrals: list[Referral], screener: Membership
) -> None:
    riley = take(next(r for r in referrals if r.part == Part.CHILD_WHO_HARMED), screener)
    post = poster(screener)
    url = reverse("referrals:referral-screen", args=[riley.public_id])
    data = screening_post(riley)

    faults = inject_a_fault_after_each_write(lambda: post(url, data))

    print(f"record screening decision: {faults} faults injected")
    assert faults >= 2


def test_a_fault_after_any_write_of_closing_a_case_with_no_further_action_leaves_nothing(
    screener: Membership, authority: Any
) -> None:
    referral = take(ReferralFactory(child__authority=authority), screener)
    post = poster(screener)
    url = reverse("referrals:referral-screen", args=[referral.public_id])
    data = screening_post(
        referral,
        decision=ReferralStatus.NO_FURTHER_ACTION,
        nfa_reasons=["managed_elsewhere"],
        support_needed="no",
    )

    faults = inject_a_fault_after_each_write(lambda: post(url, data))

    print(f"close case (no further action): {faults} faults injected")
    assert faults >= 2


def test_a_fault_after_any_write_of_an_allocation_leaves_nothing(
    referrals: list[Referral], screener: Membership, social_workers: list[Membership]
) -> None:
    riley = decide(next(r for r in referrals if r.part == Part.CHILD_WHO_HARMED), screener)
    riley.refresh_from_db()
    post = poster(screener)
    url = reverse("referrals:referral-allocate", args=[riley.public_id])
    data = {"version": riley.version, "social_worker": social_workers[0].pk}
    data["same_worker_reason"] = ""

    faults = inject_a_fault_after_each_write(lambda: post(url, data))

    print(f"allocate a social worker: {faults} faults injected")
    assert faults >= 2
