"""Giving people roles: nobody gives themselves one, and an administrator, auditor or social
work manager role waits for a second administrator (a role request), as a shorter retention
period does."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hsb_portal.accounts import changes, roles
from hsb_portal.accounts.models import (
    Agency,
    GrantStatus,
    Membership,
    MembershipGrant,
    Role,
    User,
)
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action


class GrantRefused(Exception):
    """The change would give power it may not; ``message`` says what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_TO_ONESELF = (
    "You cannot give yourself, or another account of yours, a membership or role. "
    "Ask another administrator"
)
SECOND_APPROVER = "A different administrator must approve this role request: you proposed it"
NEEDS_ROLE_REQUEST = (
    "The {role} role needs a second administrator's approval. "
    "Add a role request instead, and another administrator will approve it"
)
ONLY_ADMINISTRATORS = "Only an administrator may propose or decide a role request"


def _mailbox(email: str) -> str:
    # jo+admin@council.example and Jo@council.example reach the same person.
    local, _, domain = email.lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def is_same_person(one: User, other: User) -> bool:
    """The same account, or another account whose e-mail reaches the same mailbox (whoever
    reads the mailbox can reset the other's password)."""
    if one.pk is not None and one.pk == other.pk:
        return True
    return bool(one.email and other.email) and _mailbox(one.email) == _mailbox(other.email)


@dataclass(frozen=True)
class MembershipState:
    """A membership as it stands, or as a form would leave it."""

    user: User
    agency_id: int | None
    role: str
    is_active: bool

    @classmethod
    def of(cls, membership: Membership) -> "MembershipState":
        return cls(membership.user, membership.agency_id, membership.role, membership.is_active)


def gives_power(before: MembershipState | None, after: MembershipState) -> bool:
    """Does the change make an active membership that was not there? (Ending one does not.)"""
    if not after.is_active:
        return False
    if before is None or not before.is_active:
        return True
    return (before.user.pk, before.agency_id, before.role) != (
        after.user.pk,
        after.agency_id,
        after.role,
    )


def check_membership_change(
    *, by: User, before: MembershipState | None, after: MembershipState
) -> None:
    """Refuse a membership given by the person to themselves, or a role that needs a second
    administrator given directly. Raises ``GrantRefused``."""
    if not gives_power(before, after):
        return
    if is_same_person(by, after.user):
        raise GrantRefused(NOT_TO_ONESELF)
    if after.role in roles.NEEDING_SECOND_APPROVAL:
        raise GrantRefused(NEEDS_ROLE_REQUEST.format(role=Role(after.role).label))


def _is_administrator(person: User) -> bool:
    return bool(
        person.is_active
        and person.memberships.filter(role=Role.ADMINISTRATOR, is_active=True).exists()
    )


def check_proposal(*, by: User, user: User, agency: Agency, role: str) -> None:
    """Raises ``GrantRefused`` when this role request may not be made."""
    if not _is_administrator(by):
        raise GrantRefused(ONLY_ADMINISTRATORS)
    if is_same_person(by, user):
        raise GrantRefused(NOT_TO_ONESELF)
    if role not in roles.NEEDING_SECOND_APPROVAL:
        raise GrantRefused(
            f"The {Role(role).label} role needs no second administrator: give it as a membership"
        )
    if Membership.objects.filter(user=user, agency=agency, role=role, is_active=True).exists():
        raise GrantRefused(f"{user} already has this role in {agency}")
    if MembershipGrant.objects.filter(
        user=user, agency=agency, role=role, status=GrantStatus.AWAITING_APPROVAL
    ).exists():
        raise GrantRefused("This role request is already waiting for a second administrator")


@transaction.atomic
def propose_grant(
    *, grant: MembershipGrant, by: User, membership: Membership | None = None
) -> MembershipGrant:
    """Propose a role that needs a second administrator (``grant`` as filled in: person,
    agency, role and reason); nothing is given until a different administrator approves."""
    check_proposal(by=by, user=grant.user, agency=grant.agency, role=grant.role)
    grant.proposed_by = by
    grant.status = GrantStatus.AWAITING_APPROVAL
    grant.save(force_insert=True)
    record(
        by,
        Action.CREATE,
        grant,
        membership=membership,
        detail=(
            f"role request: {grant.get_role_display()} in {grant.agency} for "
            f"{grant.user.email}, waiting for a second administrator"
        ),
    )
    return grant


def _locked_for_decision(grant: MembershipGrant, by: User) -> MembershipGrant:
    locked = MembershipGrant.objects.select_for_update().select_related("user", "agency")
    current = locked.get(pk=grant.pk)
    if not current.is_awaiting_approval:
        raise GrantRefused("This role request has already been decided")
    if not _is_administrator(by):
        raise GrantRefused(ONLY_ADMINISTRATORS)
    if current.proposed_by_id == by.pk:
        raise GrantRefused(SECOND_APPROVER)
    if is_same_person(by, current.user):
        raise GrantRefused(NOT_TO_ONESELF)
    return current


@transaction.atomic
def approve_grant(
    *, grant: MembershipGrant, by: User, membership: Membership | None = None
) -> Membership:
    """A second administrator approves: the person gets the role (or has it again)."""
    current = _locked_for_decision(grant, by)
    with changes.made_by(by, membership):
        given, created = Membership.objects.get_or_create(
            user=current.user, agency=current.agency, role=current.role
        )
        if not created and not given.is_active:
            given.is_active = True
            given.save(update_fields=["is_active"])
    current.status = GrantStatus.APPROVED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.membership = given
    current.save(update_fields=["status", "decided_by", "decided_at", "membership"])
    record(
        by,
        Action.CHANGE,
        current,
        membership=membership,
        detail=f"role request approved by a second administrator: {given} for {current.user.email}",
    )
    return given


@transaction.atomic
def refuse_grant(
    *, grant: MembershipGrant, by: User, membership: Membership | None = None
) -> MembershipGrant:
    """A second administrator refuses: nothing is given."""
    current = _locked_for_decision(grant, by)
    current.status = GrantStatus.REFUSED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        by,
        Action.CHANGE,
        current,
        membership=membership,
        detail=f"role request refused by a second administrator, for {current.user.email}",
    )
    return current
