"""The access matrix: every URL x every role x the requester's relationship to the record.

The URL conf is walked, so a new URL without rows here fails ``test_every_url_has_rows``.
Each feature adds its URLs to ``MATRIX`` with a way to build the record for each relationship.
The run's case count is printed at the end of the test session (see conftest).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal import sharing
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from referrals.models import Referral, ReferralSource, ReferralStatus
from strategy.meetings import services as meetings
from strategy.models import AimAssessment, AssessmentStatus, Distribution, Invitation
from tests.conftest import password_only, signed_in
from tests.factories import (
    AgencyFactory,
    AimAssessmentFactory,
    AllocationFactory,
    BrookRatingFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
    NoNamesConsultationFactory,
    ReferralFactory,
    ReferralGroupFactory,
    UserFactory,
)
from triage.models import BrookBand, BrookEdition, Concern, ConcernChild, ConcernStatus, Part

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
# Past the password, not yet the second factor (a MASH screener who has an authenticator).
OTP_PENDING = "otp_pending"
ROLES: list[Any] = [*Role, ANONYMOUS, OTP_PENDING]
SIGN_IN = "sign-in"  # a redirect to the sign-in page
TWO_FACTOR = "two-factor"  # a redirect to the second-factor step
NONE = "none"  # the URL names no record


@dataclass(frozen=True)
class World:
    """The records a case needs, made fresh for each case, and who is asking."""

    home: LocalAuthority
    elsewhere: LocalAuthority
    requester: Membership | None = None
    agency_for: Callable[..., Agency] | None = None


@dataclass(frozen=True)
class Row:
    """How to reach one URL, and what each role must get for each relationship."""

    url: Callable[[World, str], str]
    relationships: tuple[str, ...] = (NONE,)
    # Status by relationship and role; roles left out get ``default``.
    expected: dict[str, dict[Any, int | str]] = field(default_factory=dict)
    default: int | str = 200
    anonymous: int | str = SIGN_IN
    # Someone past the password only gets what anonymous gets on a public page, and is sent
    # to the second-factor step from every other page (security.md V6.3.3).
    otp_pending: int | str | None = None

    def status(self, relationship: str, role: Any) -> int | str:
        if role == ANONYMOUS:
            return self.anonymous
        if role == OTP_PENDING:
            if self.otp_pending is not None:
                return self.otp_pending
            return TWO_FACTOR if self.anonymous == SIGN_IN else self.anonymous
        return self.expected.get(relationship, {}).get(role, self.default)


def fixed(name: str) -> Callable[[World, str], str]:
    return lambda world, relationship: reverse(name)


def child_url(world: World, relationship: str) -> str:
    if relationship in REFERRED_CHILD:
        child = referral_for(world, REFERRED_CHILD[relationship]).child
    elif relationship == "shared_with_agency":
        child = ChildFactory(authority=world.elsewhere)
        requester = world.requester or MembershipFactory(role=Role.MASH_SCREENER)
        sharing.share_with_agency(
            obj=child,
            agency=requester.agency,
            by=requester.user,
            membership=requester,
            children=[child.public_id],
        )
    elif relationship in CONCERN_RELATIONSHIPS:
        child = harmer_in(concern_for(world, relationship)).child
    else:
        where = world.home if relationship == "own_authority" else world.elsewhere
        child = ChildFactory(authority=where)
    return reverse("triage:child-detail", args=[child.public_id])


# The requester's relationship to a concern. A draft is only its author's to change; a concern
# sent for review is the DSL's. Every concern names a child who has harmed and a child harmed,
# both living in the authority where it happened.
CONCERN_RELATIONSHIPS = (
    "own_concern",
    "same_agency_concern",
    "other_agency_concern",
    "other_authority",
)
DRAFT_RELATIONSHIPS = ("own_draft", "own_concern", "same_agency_draft", "same_agency_concern")
CHANGE_RELATIONSHIPS = (*DRAFT_RELATIONSHIPS, "other_agency_concern", "other_authority")


def concern_for(world: World, relationship: str) -> Concern:
    assert world.agency_for is not None
    requester = world.requester
    home_school = world.agency_for(AgencyKind.SCHOOL)
    if relationship in ("own_concern", "own_draft") and requester is not None:
        agency, reporter = requester.agency, requester.user
    elif relationship in ("own_concern", "own_draft", "same_agency_concern", "same_agency_draft"):
        agency = requester.agency if requester is not None else home_school
        reporter = MembershipFactory(agency=agency, role=Role.PRACTITIONER).user
    elif relationship == "other_agency_concern":
        agency = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[world.home])
        reporter = MembershipFactory(agency=agency, role=Role.PRACTITIONER).user
    else:
        agency = world.agency_for(AgencyKind.SCHOOL, world.elsewhere)
        reporter = MembershipFactory(agency=agency, role=Role.PRACTITIONER).user
    draft = relationship.endswith("_draft")
    concern = ConcernFactory(
        reported_by=reporter,
        reporting_agency=agency,
        authority=agency.authorities.first(),
        status=ConcernStatus.DRAFT if draft else ConcernStatus.AWAITING_REVIEW,
    )
    ConcernChildFactory(concern=concern, part=Part.CHILD_WHO_HARMED)
    ConcernChildFactory(concern=concern, part=Part.CHILD_HARMED)
    return concern


def harmer_in(concern: Concern) -> ConcernChild:
    return concern.involvements.get(part=Part.CHILD_WHO_HARMED)


def concern_url(name: str) -> Callable[[World, str], str]:
    return lambda world, relationship: reverse(
        name, args=[concern_for(world, relationship).public_id]
    )


def involvement_url(name: str, *, rated: bool = False) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        harmer = harmer_in(concern_for(world, relationship))
        # A one-band edition is enough to reach the rating pages (the child is 11).
        edition, _ = BrookEdition.objects.get_or_create(
            code="matrix", defaults={"version_label": "Matrix", "is_current": True}
        )
        BrookBand.objects.get_or_create(
            edition=edition, code="9-13", defaults={"min_age": 9, "max_age": 13, "position": 3}
        )
        if rated:
            BrookRatingFactory(involvement=harmer)
        return reverse(name, args=[harmer.concern.public_id, harmer.public_id])

    return url


CHILD_READERS = {Role.MASH_SCREENER: 200, Role.SW_MANAGER: 200, Role.AUDITOR: 200}
AUTHORS_404 = {Role.PRACTITIONER: 404, Role.DSL: 404}
# A page that changes a concern, for the practitioner and the DSL (everyone else: 403).
CHANGE_PAGE = {
    "own_draft": {Role.PRACTITIONER: 200, Role.DSL: 200},
    "own_concern": {Role.PRACTITIONER: 403, Role.DSL: 200},
    "same_agency_draft": {Role.PRACTITIONER: 404, Role.DSL: 403},
    "same_agency_concern": {Role.PRACTITIONER: 404, Role.DSL: 200},
    "other_agency_concern": AUTHORS_404,
    "other_authority": AUTHORS_404,
}


def change_page(url: Callable[[World, str], str], **overrides: dict[Any, int | str]) -> Row:
    return Row(
        url,
        relationships=CHANGE_RELATIONSHIPS,
        default=403,
        expected={**CHANGE_PAGE, **overrides},
    )


def post_only(url: Callable[[World, str], str]) -> Row:
    return Row(url, relationships=("own_draft",), default=405, anonymous=405)


# Referrals (issue 4). The requester's relationship to a referral: their own (their agency
# referred it, and a practitioner made it or filed the concern), their agency's, one routed to
# their authority (the child lives there) from another agency, one whose child is allocated
# to them (or, for anyone else, to a colleague), a read-only copy sent to their authority's
# MASH (the behaviour happened there, the child lives elsewhere), and another authority's.
REFERRAL_RELATIONSHIPS = (
    "own_referral",
    "same_agency_referral",
    "routed_to_own_authority",
    "allocated",
    "copy_sent_to_own_authority",
    "other_authority",
)
# The pages that change a referral: only the MASH of the authority it is routed to.
SCREENING_RELATIONSHIPS = (
    "routed_to_own_authority",
    "copy_sent_to_own_authority",
    "other_authority",
)
REFERRED_CHILD = {
    "allocated_child": "allocated",
    "child_of_a_copy": "copy_sent_to_own_authority",
    "child_of_own_referral": "own_referral",
}
SW_404 = {Role.SOCIAL_WORKER: 404}
MASH_404 = {Role.MASH_SCREENER: 404}
NOBODY_SEES = {
    Role.PRACTITIONER: 404,
    Role.DSL: 404,
    Role.MASH_SCREENER: 404,
    Role.SOCIAL_WORKER: 404,
    Role.SW_MANAGER: 404,
    Role.AUDITOR: 404,
}
AUTHORITY_READERS = {Role.MASH_SCREENER: 200, Role.SW_MANAGER: 200, Role.AUDITOR: 200}


def referral_for(
    world: World, relationship: str, *, status: str = ReferralStatus.RECEIVED
) -> Referral:
    assert world.agency_for is not None
    requester = world.requester
    home, elsewhere = world.home, world.elsewhere
    lives, happened = home, home
    if relationship in ("own_referral", "same_agency_referral"):
        agency = requester.agency if requester is not None else world.agency_for(AgencyKind.SCHOOL)
        own = relationship == "own_referral" and requester is not None
        reporter = requester.user if own else MembershipFactory(agency=agency).user
    elif relationship == "other_authority":
        agency = world.agency_for(AgencyKind.SCHOOL, elsewhere)
        reporter = MembershipFactory(agency=agency).user
        lives, happened = elsewhere, elsewhere
    else:
        agency = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[home])
        reporter = MembershipFactory(agency=agency).user
        if relationship == "copy_sent_to_own_authority":
            lives = elsewhere
    if relationship == "allocated":
        status = ReferralStatus.STRATEGY_MEETING
    concern = ConcernFactory(
        reported_by=reporter, reporting_agency=agency, authority=happened, status="referred"
    )
    referral = ReferralFactory(
        concern=concern,
        child=ChildFactory(authority=lives),
        status=status,
        claimed_by=None if status == ReferralStatus.RECEIVED else UserFactory(),
    )
    if relationship == "allocated":
        is_worker = requester is not None and requester.role == Role.SOCIAL_WORKER
        worker = (
            requester
            if is_worker
            else MembershipFactory(
                role=Role.SOCIAL_WORKER, agency=world.agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE)
            )
        )
        AllocationFactory(referral=referral, social_worker=worker)
    if relationship == "copy_sent_to_own_authority":
        sharing.share_with_agency(
            obj=referral,
            agency=world.agency_for(AgencyKind.MASH),
            by=reporter,
            membership=None,
            children=[referral.child.public_id],
        )
    return referral


def referral_url(
    name: str, *, status: str = ReferralStatus.RECEIVED, telephone: bool = False
) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        referral = referral_for(world, relationship, status=status)
        if telephone:
            now = timezone.now()
            Referral.objects.filter(pk=referral.pk).update(
                source=ReferralSource.TELEPHONE,
                concern=None,
                phoned_at=now,
                written_follow_up_due_at=now + timedelta(hours=48),
            )
        return reverse(name, args=[referral.public_id])

    return url


def referred_concern_url(name: str) -> Callable[[World, str], str]:
    """A concern page, also for a concern referred to the requester's authority."""

    def url(world: World, relationship: str) -> str:
        if relationship == "referred_to_own_authority":
            concern = referral_for(world, "routed_to_own_authority").concern
            assert concern is not None
            return reverse(name, args=[concern.public_id])
        return concern_url(name)(world, relationship)

    return url


def to_be_referred_url(world: World, relationship: str) -> str:
    """The DSL's 'make the referrals' page, for a concern the DSL decided to refer (or, for
    'already_referred', one whose referrals are made)."""
    base = "own_concern" if relationship == "already_referred" else relationship
    concern = concern_for(world, base)
    referred = relationship == "already_referred"
    Concern.objects.filter(pk=concern.pk).update(
        status=ConcernStatus.REFERRED if referred else ConcernStatus.TO_BE_REFERRED
    )
    return reverse("referrals:concern-refer", args=[concern.public_id])


def consultation_url(world: World, relationship: str) -> str:
    agency = None
    where = world.elsewhere if relationship == "other_authority" else world.home
    if relationship == "asked_by_own_agency" and world.requester is not None:
        agency = world.requester.agency
    consultation = NoNamesConsultationFactory(authority=where, asked_by_agency=agency)
    return reverse("referrals:consultation-detail", args=[consultation.public_id])


def police_url(world: World, relationship: str) -> str:
    """Only the police send police notifications: move the requester to a police agency."""
    if relationship == "in_police_agency" and world.requester is not None:
        assert world.agency_for is not None
        police = world.agency_for(AgencyKind.POLICE)
        Membership.objects.filter(pk=world.requester.pk).update(agency=police)
    return reverse("referrals:police-notification-create")


REFERRERS_200 = {Role.PRACTITIONER: 200, Role.DSL: 200}
# The screening pages: only the MASH of the authority a referral is routed to. A copy is
# visible to the MASH it was sent to, but read only (403); another authority's is hidden.
SCREENING_PAGE = {
    "routed_to_own_authority": {Role.MASH_SCREENER: 200},
    "copy_sent_to_own_authority": {Role.MASH_SCREENER: 403},
    "other_authority": {Role.MASH_SCREENER: 404},
}


def screening_page(url: Callable[[World, str], str]) -> Row:
    return Row(url, relationships=SCREENING_RELATIONSHIPS, default=403, expected=SCREENING_PAGE)


MATRIX: dict[str, Row] = {
    "home": Row(fixed("home")),
    "role-switch": Row(fixed("role-switch")),
    # Everyone here has an authenticator: they are asked for a code, and setting up another
    # leads back to the code (a new one is an administrator's reset).
    "two-factor": Row(fixed("two-factor"), otp_pending=200),
    "two-factor-setup": Row(fixed("two-factor-setup"), default=302, otp_pending=302),
    # Recovery codes are shown once, straight after set-up; otherwise back to My work.
    "two-factor-recovery-codes": Row(fixed("two-factor-recovery-codes"), default=302),
    "login": Row(fixed("login"), default=302, anonymous=200, otp_pending=302),
    "logout": Row(fixed("logout"), default=405, anonymous=405),
    "password_reset": Row(fixed("password_reset"), anonymous=200),
    "password_reset_done": Row(fixed("password_reset_done"), anonymous=200),
    "password_reset_confirm": Row(
        lambda world, relationship: reverse(
            "password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"}
        ),
        anonymous=200,
    ),
    "password_reset_complete": Row(fixed("password_reset_complete"), anonymous=200),
    "accessibility": Row(fixed("accessibility"), anonymous=200),
    "privacy": Row(fixed("privacy"), anonymous=200),
    "csp-report": Row(fixed("csp-report"), default=405, anonymous=405),
    # The probes answer anyone, signed in or not (hsb_portal/health.py); the metrics answer only
    # a scraper's bearer token, which nobody here has (hsb_portal/metrics.py).
    "healthz": Row(fixed("healthz"), anonymous=200),
    "readyz": Row(fixed("readyz"), anonymous=200),
    "metrics": Row(fixed("metrics"), default=401, anonymous=401),
    "triage:child-list": Row(
        fixed("triage:child-list"), default=403, expected={NONE: CHILD_READERS}
    ),
    "triage:child-detail": Row(
        child_url,
        relationships=(
            "own_authority",
            "other_authority",
            "shared_with_agency",
            *CONCERN_RELATIONSHIPS[:3],
            *REFERRED_CHILD,
        ),
        default=403,
        expected={
            "own_authority": {**CHILD_READERS, **AUTHORS_404, **SW_404},
            "other_authority": {
                Role.MASH_SCREENER: 404,
                Role.SW_MANAGER: 404,
                Role.AUDITOR: 404,
                **AUTHORS_404,
                **SW_404,
            },
            "shared_with_agency": {
                **CHILD_READERS,
                Role.PRACTITIONER: 200,
                Role.DSL: 200,
                Role.SOCIAL_WORKER: 200,
            },
            "own_concern": {**CHILD_READERS, Role.PRACTITIONER: 200, Role.DSL: 200, **SW_404},
            "same_agency_concern": {
                **CHILD_READERS,
                Role.PRACTITIONER: 404,
                Role.DSL: 200,
                **SW_404,
            },
            "other_agency_concern": {**CHILD_READERS, **AUTHORS_404, **SW_404},
            # A social worker sees the children allocated to them (issue 4).
            "allocated_child": {**CHILD_READERS, **AUTHORS_404, Role.SOCIAL_WORKER: 200},
            # A MASH sent a copy of a referral sees the child it names.
            "child_of_a_copy": {
                **NOBODY_SEES,
                Role.MASH_SCREENER: 200,
            },
            # The referrer sees the child it referred.
            "child_of_own_referral": {
                **CHILD_READERS,
                Role.PRACTITIONER: 200,
                Role.DSL: 200,
                **SW_404,
            },
        },
    ),
    "triage:concern-list": Row(
        fixed("triage:concern-list"),
        default=403,
        expected={NONE: {Role.PRACTITIONER: 200, Role.DSL: 200, Role.AUDITOR: 200}},
    ),
    "triage:concern-create": Row(
        fixed("triage:concern-create"),
        default=403,
        expected={NONE: {Role.PRACTITIONER: 200, Role.DSL: 200}},
    ),
    "triage:concern-detail": Row(
        referred_concern_url("triage:concern-detail"),
        relationships=(*CONCERN_RELATIONSHIPS, "referred_to_own_authority"),
        default=403,
        expected={
            "own_concern": {**MASH_404, Role.PRACTITIONER: 200, Role.DSL: 200, Role.AUDITOR: 200},
            "same_agency_concern": {
                **MASH_404,
                Role.PRACTITIONER: 404,
                Role.DSL: 200,
                Role.AUDITOR: 200,
            },
            "other_agency_concern": {**MASH_404, **AUTHORS_404, Role.AUDITOR: 200},
            "other_authority": {**MASH_404, **AUTHORS_404, Role.AUDITOR: 404},
            # Once referred, the MASH it is referred to sees the concern (issue 4).
            "referred_to_own_authority": {
                **AUTHORS_404,
                Role.MASH_SCREENER: 200,
                Role.AUDITOR: 200,
            },
        },
    ),
    "triage:concern-edit": change_page(concern_url("triage:concern-edit")),
    "triage:concern-child-find": change_page(concern_url("triage:concern-child-find")),
    "triage:concern-child-choose": post_only(concern_url("triage:concern-child-choose")),
    "triage:concern-child-new": post_only(concern_url("triage:concern-child-new")),
    "triage:involvement-edit": change_page(involvement_url("triage:involvement-edit")),
    "triage:involvement-remove": post_only(involvement_url("triage:involvement-remove")),
    "triage:rating-edit": change_page(involvement_url("triage:rating-edit")),
    "triage:rating-colour": change_page(involvement_url("triage:rating-colour", rated=True)),
    "triage:rating-context": change_page(involvement_url("triage:rating-context", rated=True)),
    # Only a draft has a next step to choose; a sent concern redirects to its page.
    "triage:concern-next-step": change_page(
        concern_url("triage:concern-next-step"),
        own_concern={Role.PRACTITIONER: 403, Role.DSL: 302},
        same_agency_concern={Role.PRACTITIONER: 404, Role.DSL: 302},
    ),
    # Only the DSL reviews, and only a concern sent for review; a draft redirects to its page.
    "triage:concern-review": change_page(
        concern_url("triage:concern-review"),
        own_draft={Role.DSL: 302},
        own_concern={Role.DSL: 200},
        same_agency_draft={Role.DSL: 403},
        same_agency_concern={Role.DSL: 200},
        other_agency_concern={Role.DSL: 404},
        other_authority={Role.DSL: 404},
    ),
}

MATRIX.update(
    {
        "referrals:concern-refer": Row(
            to_be_referred_url,
            relationships=(*CONCERN_RELATIONSHIPS, "already_referred"),
            default=403,
            expected={
                "own_concern": {Role.DSL: 200},
                "same_agency_concern": {Role.DSL: 200},
                "other_agency_concern": {Role.DSL: 404},
                "other_authority": {Role.DSL: 404},
                # The referrals are made: the page sends the DSL back to the concern.
                "already_referred": {Role.DSL: 302},
            },
        ),
        "referrals:referral-list": Row(
            fixed("referrals:referral-list"), expected={NONE: {Role.ADMINISTRATOR: 403}}
        ),
        "referrals:screening-queue": Row(
            fixed("referrals:screening-queue"),
            default=403,
            expected={NONE: {Role.MASH_SCREENER: 200}},
        ),
        "referrals:telephone-referral-create": Row(
            fixed("referrals:telephone-referral-create"),
            default=403,
            expected={NONE: {Role.MASH_SCREENER: 200}},
        ),
        "referrals:police-notification-create": Row(
            police_url,
            relationships=("in_school", "in_police_agency"),
            default=403,
            expected={"in_police_agency": REFERRERS_200},
        ),
        "referrals:referral-detail": Row(
            referral_url("referrals:referral-detail"),
            relationships=REFERRAL_RELATIONSHIPS,
            default=403,
            expected={
                "own_referral": {**AUTHORITY_READERS, **REFERRERS_200, **SW_404},
                "same_agency_referral": {
                    **AUTHORITY_READERS,
                    Role.PRACTITIONER: 404,
                    Role.DSL: 200,
                    **SW_404,
                },
                "routed_to_own_authority": {**AUTHORITY_READERS, **AUTHORS_404, **SW_404},
                "allocated": {**AUTHORITY_READERS, **AUTHORS_404, Role.SOCIAL_WORKER: 200},
                "copy_sent_to_own_authority": {**NOBODY_SEES, Role.MASH_SCREENER: 200},
                "other_authority": NOBODY_SEES,
            },
        ),
        "referrals:referral-take": Row(
            referral_url("referrals:referral-take"),
            relationships=("routed_to_own_authority",),
            default=405,
            anonymous=405,
        ),
        "referrals:referral-hand-back": screening_page(
            referral_url("referrals:referral-hand-back", status=ReferralStatus.IN_SCREENING)
        ),
        "referrals:referral-screen": screening_page(
            referral_url("referrals:referral-screen", status=ReferralStatus.IN_SCREENING)
        ),
        "referrals:referral-follow-up": screening_page(
            referral_url("referrals:referral-follow-up", telephone=True)
        ),
        # Social work managers of the authority allocate too.
        "referrals:referral-allocate": Row(
            referral_url("referrals:referral-allocate", status=ReferralStatus.STRATEGY_MEETING),
            relationships=SCREENING_RELATIONSHIPS,
            default=403,
            expected={
                "routed_to_own_authority": {Role.MASH_SCREENER: 200, Role.SW_MANAGER: 200},
                "copy_sent_to_own_authority": {Role.MASH_SCREENER: 403, Role.SW_MANAGER: 404},
                "other_authority": {Role.MASH_SCREENER: 404, Role.SW_MANAGER: 404},
            },
        ),
        "referrals:consultation-list": Row(
            fixed("referrals:consultation-list"),
            default=403,
            expected={
                NONE: {**REFERRERS_200, Role.MASH_SCREENER: 200, Role.AUDITOR: 200},
            },
        ),
        "referrals:consultation-create": Row(
            fixed("referrals:consultation-create"),
            default=403,
            expected={NONE: {Role.MASH_SCREENER: 200}},
        ),
        "referrals:consultation-detail": Row(
            consultation_url,
            relationships=("own_authority", "asked_by_own_agency", "other_authority"),
            default=403,
            expected={
                "own_authority": {
                    **AUTHORS_404,
                    Role.MASH_SCREENER: 200,
                    Role.AUDITOR: 200,
                },
                "asked_by_own_agency": {
                    **REFERRERS_200,
                    Role.MASH_SCREENER: 200,
                    Role.AUDITOR: 200,
                },
                "other_authority": {
                    **AUTHORS_404,
                    Role.MASH_SCREENER: 404,
                    Role.AUDITOR: 404,
                },
            },
        ),
    }
)

# AIM assessments (domain.md §7). The requester leads the assessment for their agency, is
# named as a co-worker on it, or has no part in it; the child lives in the home authority or
# elsewhere. Administrators have no case work; auditors only read.
AIM_RELATIONSHIPS = (
    "lead_assessor",
    "co_worker",
    "own_authority",
    "other_authority",
    "completed_lead",
)
AIM_READERS_200 = {role: 200 for role in Role if role != Role.ADMINISTRATOR}
ADMIN_403 = {Role.ADMINISTRATOR: 403}
AIM_LEADS = (Role.PRACTITIONER, Role.SOCIAL_WORKER, Role.SW_MANAGER)


def aim_assessment_for(world: World, relationship: str) -> AimAssessment:
    where = world.elsewhere if relationship == "other_authority" else world.home
    concern = ConcernFactory(
        reporting_agency=AgencyFactory(authorities=[where]), status=ConcernStatus.AWAITING_REVIEW
    )
    child = ConcernChildFactory(concern=concern, part=Part.CHILD_WHO_HARMED).child
    requester = world.requester
    if relationship in ("lead_assessor", "completed_lead") and requester is not None:
        lead = requester
    else:
        csc = AgencyFactory(kind=AgencyKind.CHILDRENS_SOCIAL_CARE, authorities=[where])
        lead = MembershipFactory(role=Role.SOCIAL_WORKER, agency=csc)
    fields: dict[str, Any] = {}
    if relationship == "completed_lead":
        fields = {
            "status": AssessmentStatus.COMPLETED,
            "completed_on": timezone.localdate(),
            "supervision_level": "medium",
            "recommendations": "Weekly sessions with the youth justice worker.",
        }
    assessment = AimAssessmentFactory(
        child=child, lead_assessor=lead.user, lead_agency=lead.agency, **fields
    )
    if relationship == "co_worker" and requester is not None:
        assessment.co_workers.add(requester)
    return assessment


def aim_url(name: str, *extra: str) -> Callable[[World, str], str]:
    return lambda world, relationship: reverse(
        name, args=[aim_assessment_for(world, relationship).public_id, *extra]
    )


def aim_child_url(name: str) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        where = world.home if relationship == "own_authority" else world.elsewhere
        child = ChildFactory(authority=where)
        if relationship == "shared_with_agency":
            requester = world.requester or MembershipFactory(role=Role.MASH_SCREENER)
            sharing.share_with_agency(
                obj=child,
                agency=requester.agency,
                by=requester.user,
                membership=requester,
                children=[child.public_id],
            )
        return reverse(name, args=[child.public_id])

    return url


# A draft's pages for those working on it; a completed assessment is never changed.
AIM_CHANGE_PAGE = {
    "lead_assessor": {**AIM_READERS_200, Role.AUDITOR: 403, **ADMIN_403},
    "co_worker": {**AIM_READERS_200, Role.AUDITOR: 403, **ADMIN_403},
    "own_authority": {Role.SW_MANAGER: 403, Role.AUDITOR: 403, **ADMIN_403},
    "other_authority": ADMIN_403,
    "completed_lead": dict.fromkeys(Role, 403),
}
AIM_CHILD_RELATIONSHIPS = ("own_authority", "other_authority", "shared_with_agency")

MATRIX.update(
    {
        "strategy:aim-assessment-list": Row(
            aim_child_url("strategy:aim-assessment-list"),
            relationships=AIM_CHILD_RELATIONSHIPS,
            default=404,
            expected={
                "own_authority": {**CHILD_READERS, **ADMIN_403},
                "other_authority": ADMIN_403,
                "shared_with_agency": {**AIM_READERS_200, **ADMIN_403},
            },
        ),
        "strategy:aim-assessment-start": Row(
            aim_child_url("strategy:aim-assessment-start"),
            relationships=AIM_CHILD_RELATIONSHIPS,
            default=403,
            expected={
                "own_authority": {
                    Role.SW_MANAGER: 200,
                    Role.PRACTITIONER: 404,
                    Role.SOCIAL_WORKER: 404,
                },
                "other_authority": dict.fromkeys(AIM_LEADS, 404),
                "shared_with_agency": dict.fromkeys(AIM_LEADS, 200),
            },
        ),
        "strategy:aim-assessment-detail": Row(
            aim_url("strategy:aim-assessment-detail"),
            relationships=AIM_RELATIONSHIPS,
            default=404,
            expected={
                "lead_assessor": {**AIM_READERS_200, **ADMIN_403},
                "co_worker": {**AIM_READERS_200, **ADMIN_403},
                "own_authority": {Role.SW_MANAGER: 200, Role.AUDITOR: 200, **ADMIN_403},
                "other_authority": ADMIN_403,
                "completed_lead": {**AIM_READERS_200, **ADMIN_403},
            },
        ),
        "strategy:aim-domain-rate": Row(
            aim_url("strategy:aim-domain-rate", "AIM3.SB"),
            relationships=AIM_RELATIONSHIPS,
            default=404,
            expected=AIM_CHANGE_PAGE,
        ),
        "strategy:aim-assessment-complete": Row(
            aim_url("strategy:aim-assessment-complete"),
            relationships=AIM_RELATIONSHIPS,
            default=404,
            expected=AIM_CHANGE_PAGE,
        ),
        # Only a completed assessment is reviewed; a draft redirects to its page.
        "strategy:aim-assessment-review": Row(
            aim_url("strategy:aim-assessment-review"),
            relationships=AIM_RELATIONSHIPS,
            default=403,
            expected={
                "lead_assessor": dict.fromkeys(AIM_LEADS, 302),
                "co_worker": dict.fromkeys(AIM_LEADS, 302),
                "own_authority": {
                    Role.SW_MANAGER: 302,
                    Role.PRACTITIONER: 404,
                    Role.SOCIAL_WORKER: 404,
                },
                "other_authority": dict.fromkeys(AIM_LEADS, 404),
                "completed_lead": dict.fromkeys(AIM_LEADS, 200),
            },
        ),
    }
)

# Strategy meetings (issue 5; domain.md §6). The requester's relationship to a meeting about two
# children of the home authority: a meeting of their authority chaired by someone else, one they
# chair, one about a child allocated to them, one their agency is invited to as a whole, one
# they are invited to by name, one whose approved minutes of Child A were sent to them by name,
# and another authority's meeting. Minutes go to people, not agencies (issue 10): in the
# meetings their agency is invited to, Child A's minutes sent to a colleague in their agency,
# Child B's sent to them, or Child A's sent to them in another of their roles, give them
# nothing. Administrators have no case work; auditors only read.
MEETING_READERS_200 = {role: 200 for role in Role if role != Role.ADMINISTRATOR}
AUTHORITY_MEETING = {Role.SW_MANAGER: 200, Role.AUDITOR: 200, **ADMIN_403}
MEETING_CHANGE = ("own_authority", "other_authority")
CHAIR_ONLY = ("chaired", "own_authority", "other_authority")


def meeting_for(world: World, relationship: str, *, state: str = "convened") -> Any:
    """A meeting about a child who has harmed (Child A) and a child harmed (Child B), taken
    to ``state`` (convened, held or approved) with the services."""
    assert world.agency_for is not None
    where = world.elsewhere if relationship == "other_authority" else world.home
    requester = world.requester
    csc = world.agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE, where)
    role = requester.role if requester is not None else None
    if relationship == "chaired" and role == Role.SW_MANAGER:
        chair = requester
    else:
        chair = MembershipFactory(role=Role.SW_MANAGER, agency=csc)
    group = ReferralGroupFactory()
    referrals = [
        ReferralFactory(
            group=group,
            part=part,
            child=ChildFactory(authority=where),
            concern=ConcernFactory(
                authority=where,
                reporting_agency=AgencyFactory(authorities=[where]),
                status=ConcernStatus.REFERRED,
            ),
            status=ReferralStatus.STRATEGY_MEETING,
            claimed_by=UserFactory(),
        )
        for part in (Part.CHILD_WHO_HARMED, Part.CHILD_HARMED)
    ]
    if relationship == "allocated":
        worker = (
            requester
            if role == Role.SOCIAL_WORKER
            else MembershipFactory(role=Role.SOCIAL_WORKER, agency=csc)
        )
        AllocationFactory(referral=referrals[0], social_worker=worker)
    police = world.agency_for(AgencyKind.POLICE, where)
    actor = {"by": chair.user, "membership": chair}
    meeting = meetings.convene_strategy_meeting(
        starting=referrals[0],
        referrals=referrals,
        chair=chair,
        scheduled_for=timezone.now() - timedelta(days=1),
        meeting_format="in_person",
        location="Civic Centre",
        late_reason="",
        agencies=[police],
        **actor,
    )
    if requester is not None and relationship in ("invited_agency", *DISTRIBUTED):
        Invitation.objects.get_or_create(
            meeting=meeting,
            agency=requester.agency,
            person=None,
            defaults={"role_in_meeting": "other", "invited_by": chair.user},
        )
    if requester is not None and relationship == "invited_by_name":
        Invitation.objects.create(
            meeting=meeting,
            agency=requester.agency,
            person=requester.user,
            role_in_meeting="other",
            invited_by=chair.user,
        )
    if state == "convened":
        return meeting
    minutes = meetings.record_meeting_held(
        meeting=meeting, held_on=timezone.localdate(), version=meeting.version, **actor
    )
    places = list(meeting.meeting_children.order_by("position"))
    meetings.add_action(
        minutes=minutes,
        action=meetings.ActionInput("Visit the family.", chair, timezone.localdate(), places),
        version=minutes.version,
        **actor,
    )
    if state == "held":
        return meeting
    for place in places:
        meetings.record_child_minutes(
            minutes=minutes,
            place=place,
            answers=meetings.ChildMinutesInput(decision="cin_plan"),
            agency_information={},
            version=minutes.version,
            **actor,
        )
    meetings.approve_minutes(minutes=minutes, version=minutes.version, **actor)
    if requester is not None and relationship in DISTRIBUTED:
        Distribution.objects.create(
            meeting_child=places[1] if relationship == "distributed_other_child" else places[0],
            minutes=minutes,
            recipient=recipient_for(requester, relationship),
            distributed_by=chair.user,
        )
    return meeting


# The ways a requester's agency may be sent minutes: to them (Child A's), to a colleague of
# the same role in the same agency, to them but Child B's, to them in another of their roles.
DISTRIBUTED = (
    "distributed",
    "distributed_to_colleague",
    "distributed_other_child",
    "distributed_other_role",
)


def recipient_for(requester: Membership, relationship: str) -> Membership:
    if relationship == "distributed_to_colleague":
        return MembershipFactory(role=requester.role, agency=requester.agency)
    if relationship == "distributed_other_role":
        other = Role.DSL if requester.role != Role.DSL else Role.PRACTITIONER
        return MembershipFactory(user=requester.user, role=other, agency=requester.agency)
    return requester


def meeting_url(name: str, *, state: str = "convened") -> Callable[[World, str], str]:
    return lambda world, relationship: reverse(
        name, args=[meeting_for(world, relationship, state=state).public_id]
    )


def meeting_child_url(name: str, *, state: str, with_minutes: bool) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        meeting = meeting_for(world, relationship, state=state)
        place = meeting.meeting_children.get(letter="A")
        args = [meeting.public_id, place.public_id]
        if with_minutes:
            args.append(meeting.minutes.get(number=1).public_id)
        return reverse(name, args=args)

    return url


def meeting_action_url(name: str) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        meeting = meeting_for(world, relationship, state="held")
        action = meeting.minutes.get().actions.get()
        return reverse(name, args=[meeting.public_id, action.public_id])

    return url


def invitation_url(world: World, relationship: str) -> str:
    """The requester's own invitation; for any other relationship, the police's."""
    meeting = meeting_for(world, relationship)
    invitations = meeting.invitations.all()
    requester = world.requester
    if requester is not None and relationship == "invited_by_name":
        invitation = invitations.get(person=requester.user)
    elif requester is not None and relationship == "invited_agency":
        invitation = invitations.get(agency=requester.agency, person__isnull=True)
    else:
        invitation = invitations.get(agency__kind=AgencyKind.POLICE)
    return reverse("meetings:invitation-answer", args=[meeting.public_id, invitation.public_id])


def manager_page(url: Callable[[World, str], str]) -> Row:
    """A page that arranges or records a meeting: its authority's social work managers."""
    return Row(
        url,
        relationships=MEETING_CHANGE,
        default=403,
        expected={
            "own_authority": {Role.SW_MANAGER: 200},
            "other_authority": {Role.SW_MANAGER: 404},
        },
    )


def chair_page(url: Callable[[World, str], str]) -> Row:
    """Approving, amending and distributing the minutes: the chair only."""
    return Row(
        url,
        relationships=CHAIR_ONLY,
        default=403,
        expected={
            "chaired": {Role.SW_MANAGER: 200},
            "own_authority": {Role.SW_MANAGER: 403},
            "other_authority": {Role.SW_MANAGER: 404},
        },
    )


CHILD_MINUTES_RELATIONSHIPS = (
    "own_authority",
    "allocated",
    *DISTRIBUTED,
    "invited_agency",
    "other_authority",
)
# Only the person named, in the role named, reads the child's minutes sent (issue 10); the
# authority's managers and auditors read every child's minutes of its meetings anyway.
CHILD_MINUTES = {
    "own_authority": AUTHORITY_MEETING,
    "allocated": {**AUTHORITY_MEETING, Role.SOCIAL_WORKER: 200},
    "distributed": {**MEETING_READERS_200, **ADMIN_403},
    "distributed_to_colleague": AUTHORITY_MEETING,
    "distributed_other_child": AUTHORITY_MEETING,
    "distributed_other_role": AUTHORITY_MEETING,
    "invited_agency": AUTHORITY_MEETING,
    "other_authority": ADMIN_403,
}
INVITED = {**MEETING_READERS_200, **ADMIN_403}

MATRIX.update(
    {
        "meetings:meeting-list": Row(
            fixed("meetings:meeting-list"), expected={NONE: {Role.ADMINISTRATOR: 403}}
        ),
        "meetings:meeting-convene": Row(
            referral_url("meetings:meeting-convene", status=ReferralStatus.STRATEGY_MEETING),
            relationships=("routed_to_own_authority", "other_authority"),
            default=403,
            expected={
                "routed_to_own_authority": {Role.SW_MANAGER: 200},
                "other_authority": {Role.SW_MANAGER: 404},
            },
        ),
        "meetings:meeting-detail": Row(
            meeting_url("meetings:meeting-detail"),
            relationships=(
                "own_authority",
                "chaired",
                "allocated",
                "invited_agency",
                "invited_by_name",
                "distributed",
                "other_authority",
            ),
            default=404,
            expected={
                "own_authority": AUTHORITY_MEETING,
                "chaired": AUTHORITY_MEETING,
                "allocated": {**AUTHORITY_MEETING, Role.SOCIAL_WORKER: 200},
                "invited_agency": INVITED,
                "invited_by_name": INVITED,
                "distributed": INVITED,
                "other_authority": ADMIN_403,
            },
        ),
        "meetings:meeting-edit": manager_page(meeting_url("meetings:meeting-edit")),
        "meetings:meeting-cancel": manager_page(meeting_url("meetings:meeting-cancel")),
        "meetings:invitation-create": manager_page(meeting_url("meetings:invitation-create")),
        "meetings:meeting-hold": manager_page(meeting_url("meetings:meeting-hold")),
        "meetings:minutes-attendance": manager_page(
            meeting_url("meetings:minutes-attendance", state="held")
        ),
        "meetings:action-create": manager_page(meeting_url("meetings:action-create", state="held")),
        "meetings:action-edit": manager_page(meeting_action_url("meetings:action-edit")),
        "meetings:child-record": manager_page(
            meeting_child_url("meetings:child-record", state="held", with_minutes=False)
        ),
        "meetings:minutes-approve": chair_page(
            meeting_url("meetings:minutes-approve", state="held")
        ),
        "meetings:minutes-amend": chair_page(
            meeting_url("meetings:minutes-amend", state="approved")
        ),
        "meetings:minutes-distribute": chair_page(
            meeting_url("meetings:minutes-distribute", state="approved")
        ),
        # Only the invitee answers; those who see the meeting's invitations may not answer.
        "meetings:invitation-answer": Row(
            invitation_url,
            relationships=("invited_agency", "invited_by_name", "own_authority", "other_authority"),
            default=404,
            expected={
                "invited_agency": {**INVITED, Role.AUDITOR: 403},
                "invited_by_name": {**INVITED, Role.AUDITOR: 403},
                "own_authority": {Role.SW_MANAGER: 403, Role.AUDITOR: 403, **ADMIN_403},
                "other_authority": ADMIN_403,
            },
        ),
        "meetings:child-minutes": Row(
            meeting_child_url("meetings:child-minutes", state="approved", with_minutes=True),
            relationships=CHILD_MINUTES_RELATIONSHIPS,
            default=404,
            expected=CHILD_MINUTES,
        ),
        "meetings:child-minutes-pdf": Row(
            meeting_child_url("meetings:child-minutes-pdf", state="approved", with_minutes=True),
            relationships=CHILD_MINUTES_RELATIONSHIPS,
            default=404,
            expected=CHILD_MINUTES,
        ),
        "meetings:action-remove": Row(
            meeting_action_url("meetings:action-remove"),
            relationships=("own_authority",),
            default=405,
            anonymous=405,
        ),
        "meetings:action-complete": Row(
            meeting_action_url("meetings:action-complete"),
            relationships=("own_authority",),
            default=405,
            anonymous=405,
        ),
    }
)

# Retention (issue 6): records management is for the authority's administrators; its
# auditors read the report, the schedule, the holds and the reviews. A record of another
# authority is hidden (404); everyone else is refused by role (403).
RECORDS_READERS = {Role.ADMINISTRATOR: 200, Role.AUDITOR: 200}
RETENTION_RECORD = ("own_authority", "other_authority")


def _retention_where(world: World, relationship: str) -> LocalAuthority:
    return world.elsewhere if relationship == "other_authority" else world.home


def retention_url(name: str, make: Callable[[LocalAuthority], Any]) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        return reverse(name, args=[make(_retention_where(world, relationship)).public_id])

    return url


def _retention_rule(where: LocalAuthority) -> Any:
    from hsb_portal.retention.schedule import seed_default_schedule

    return seed_default_schedule(where)[0]


def _retention_change(where: LocalAuthority) -> Any:
    from hsb_portal.retention.models import RetentionRuleChange

    rule = _retention_rule(where)
    return RetentionRuleChange.objects.create(
        rule=rule,
        from_years=rule.years,
        to_years=rule.years - 1,
        reason="Board decision.",
        status="awaiting_approval",
        proposed_by=UserFactory(),
    )


def _legal_hold(where: LocalAuthority) -> Any:
    from hsb_portal.retention.models import LegalHold

    child = ChildFactory(authority=where)
    return LegalHold.objects.create(child=child, reason="Inquiry.", placed_by=UserFactory())


def _disposal_review(where: LocalAuthority) -> Any:
    from hsb_portal.retention.models import DisposalReview, DisposalReviewChild

    child = ChildFactory(authority=where)
    review = DisposalReview.objects.create(
        authority=where, reason="Reviewed.", proposed_by=UserFactory()
    )
    DisposalReviewChild.objects.create(review=review, child=child, child_public_id=child.public_id)
    return review


def records_manager_page(url: Callable[[World, str], str], readers: dict[Any, int | str]) -> Row:
    return Row(
        url,
        relationships=RETENTION_RECORD,
        default=403,
        expected={
            "own_authority": readers,
            "other_authority": dict.fromkeys(readers, 404),
        },
    )


ADMINISTRATOR_ONLY = {Role.ADMINISTRATOR: 200}

MATRIX.update(
    {
        "retention:report": Row(
            fixed("retention:report"), default=403, expected={NONE: RECORDS_READERS}
        ),
        "retention:schedule": Row(
            fixed("retention:schedule"), default=403, expected={NONE: RECORDS_READERS}
        ),
        "retention:hold-list": Row(
            fixed("retention:hold-list"), default=403, expected={NONE: RECORDS_READERS}
        ),
        "retention:review-list": Row(
            fixed("retention:review-list"), default=403, expected={NONE: RECORDS_READERS}
        ),
        "retention:review-propose": Row(
            fixed("retention:review-propose"), default=403, expected={NONE: ADMINISTRATOR_ONLY}
        ),
        "retention:rule-edit": records_manager_page(
            retention_url("retention:rule-edit", _retention_rule), ADMINISTRATOR_ONLY
        ),
        "retention:rule-change-decide": records_manager_page(
            retention_url("retention:rule-change-decide", _retention_change), ADMINISTRATOR_ONLY
        ),
        "retention:hold-place": records_manager_page(
            retention_url("retention:hold-place", lambda where: ChildFactory(authority=where)),
            ADMINISTRATOR_ONLY,
        ),
        "retention:hold-lift": records_manager_page(
            retention_url("retention:hold-lift", _legal_hold), ADMINISTRATOR_ONLY
        ),
        "retention:review-detail": records_manager_page(
            retention_url("retention:review-detail", _disposal_review), RECORDS_READERS
        ),
        "retention:review-decide": records_manager_page(
            retention_url("retention:review-decide", _disposal_review), ADMINISTRATOR_ONLY
        ),
    }
)


# The auditor's case history (issue 6): auditors of the child's authority only; another
# authority's child is hidden (404); every other role is refused the page (403).
def history_url(name: str) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        where = world.home if relationship == "own_authority" else world.elsewhere
        return reverse(name, args=[ChildFactory(authority=where).public_id])

    return url


HISTORY_ROW = {
    "relationships": ("own_authority", "other_authority"),
    "default": 403,
    "expected": {"own_authority": {Role.AUDITOR: 200}, "other_authority": {Role.AUDITOR: 404}},
}
MATRIX.update(
    {
        name: Row(history_url(name), **HISTORY_ROW)  # type: ignore[arg-type]
        for name in ("audit:child-history", "audit:child-history-csv", "audit:child-history-pdf")
    }
)


def own_session_url(world: World, relationship: str) -> str:
    """Another session of the requester's own (ending it is a button on "Your sessions")."""
    import secrets  # only this row needs them

    from hsb_portal.accounts.models import SignedInSession

    person = world.requester.user if world.requester is not None else UserFactory()
    other = SignedInSession.objects.create(user=person, session_key=secrets.token_hex(16))
    return reverse("session-end", args=[other.public_id])


# Each person's own sessions (security.md V7.5.2): every role, no record about a child.
# Ending sessions is a POST from that page.
MATRIX.update(
    {
        "sessions": Row(fixed("sessions")),
        "sessions-end-others": Row(fixed("sessions-end-others"), default=405, anonymous=405),
        "session-end": Row(own_session_url, default=405, anonymous=405),
    }
)

# The records administration site guards itself (staff only); it has its own test below.
EXCLUDED_NAMESPACES = {"admin"}


def url_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> list[tuple[str, URLPattern]]:
    """Every named URL of the site, outside the excluded namespaces."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += url_patterns(pattern, inner)
        else:
            assert pattern.name, f"URL {pattern.pattern} has no name, so it cannot be in the matrix"
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def test_every_url_has_rows() -> None:
    missing = sorted({name for name, _ in url_patterns()} - set(MATRIX))

    assert missing == [], f"URLs with no rows in the access matrix: {missing}"


def test_every_view_goes_through_the_access_policy() -> None:
    unguarded = [name for name, p in url_patterns() if not hasattr(p.callback, "access_roles")]

    assert unguarded == [], f"Views not wrapped in access.guard: {unguarded}"


CASES = [
    pytest.param(name, relationship, role, id=f"{name}|{relationship}|{role}")
    for name, row in MATRIX.items()
    for relationship in row.relationships
    for role in ROLES
]


PENDING_ROLE = {OTP_PENDING: Role.MASH_SCREENER}


@pytest.mark.access_matrix
@pytest.mark.parametrize(("url_name", "relationship", "role"), CASES)
def test_access(
    url_name: str,
    relationship: str,
    role: Any,
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    member: Callable[..., Membership],
    agency_for: Callable[..., Agency],
) -> None:
    row = MATRIX[url_name]
    requester = None if role == ANONYMOUS else member(PENDING_ROLE.get(role, role))
    world = World(authority, other_authority, requester=requester, agency_for=agency_for)
    url = row.url(world, relationship)
    if requester is None:
        client = Client()
    elif role == OTP_PENDING:
        TOTPDevice.objects.create(user=requester.user, name="Authenticator app", confirmed=True)
        client = password_only(Client(), requester)
    else:
        client = signed_in(Client(), requester)
    refusals_before = AuditEvent.objects.filter(action=Action.REFUSED).count()

    response = client.get(url)

    expected = row.status(relationship, role)
    if expected in (SIGN_IN, TWO_FACTOR):
        assert response.status_code == 302
        assert response["Location"].startswith(
            reverse("login" if expected == SIGN_IN else expected)
        )
    else:
        assert response.status_code == expected, f"{role} on {url_name} ({relationship})"
    if role != ANONYMOUS and expected in (403, 404):
        assert AuditEvent.objects.filter(action=Action.REFUSED).count() == refusals_before + 1


@pytest.mark.parametrize("role", list(Role))
def test_records_administration_is_for_administrators_only(
    role: Role, member: Callable[..., Any]
) -> None:
    membership = member(role)
    if role == Role.ADMINISTRATOR:
        membership.user.is_staff = True
        membership.user.save(update_fields=["is_staff"])
    client = signed_in(Client(), membership)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == (200 if role == Role.ADMINISTRATOR else 403)


@pytest.mark.parametrize("signed_in_with", ["nothing", "password only"])
def test_records_administration_needs_both_factors(
    signed_in_with: str, member: Callable[..., Any]
) -> None:
    administrator = member(Role.ADMINISTRATOR)
    administrator.user.is_staff = True
    administrator.user.save(update_fields=["is_staff"])
    client = Client()
    if signed_in_with == "password only":
        TOTPDevice.objects.create(user=administrator.user, name="Authenticator app", confirmed=True)
        password_only(client, administrator)

    response = client.get(reverse("admin:index"), follow=True)

    landed = reverse("login" if signed_in_with == "nothing" else "two-factor")
    assert response.redirect_chain[-1][0].startswith(landed)
    assert "Site administration" not in response.text
