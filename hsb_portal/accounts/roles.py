"""The sets of roles the portal names: who may reach which pages (``access.guard``), whose rows
the policy widens, and what navigation offers. One place, so that a page, its navigation entry
and the policy never name a role set differently (issue 11)."""

from hsb_portal.accounts.models import Role

ALL_ROLES = frozenset(Role)
# Read-only roles never reach a state-changing request.
READ_ONLY = frozenset({Role.AUDITOR})
# Everyone with case work; administrators manage accounts and records, not cases.
CASE_WORKERS = ALL_ROLES - {Role.ADMINISTRATOR}

# One role each.
DSLS = frozenset({Role.DSL})
SCREENERS = frozenset({Role.MASH_SCREENER})
MANAGERS = frozenset({Role.SW_MANAGER})
AUDITORS = frozenset({Role.AUDITOR})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})

# Schools and other agencies raise concerns and refer; the DSL is consulted first (domain.md §1).
CONCERN_AUTHORS = frozenset({Role.PRACTITIONER, Role.DSL})
# The authority's managers and auditors see every record of its cases.
AUTHORITY_WIDE = frozenset({Role.SW_MANAGER, Role.AUDITOR})
# The front door, the managers and the auditors list the children of their authorities.
CHILD_READERS = AUTHORITY_WIDE | SCREENERS
# Those who change a child's record and a referral routed to their authority: the MASH screens
# and allocates, the managers allocate too.
ALLOCATORS = SCREENERS | MANAGERS
# Who may add a child record (the duplicate check covers their authorities).
CHILD_CREATORS = CONCERN_AUTHORS | ALLOCATORS
# Practitioners and DSLs open the children named in their concerns, and social workers the
# children allocated to them, but they have no list of children.
CHILD_VIEWERS = CHILD_READERS | CONCERN_AUTHORS | {Role.SOCIAL_WORKER}
CONCERN_READERS = CONCERN_AUTHORS | AUDITORS
# The MASH opens a concern once it is referred to it, from the referral.
CONCERN_VIEWERS = CONCERN_READERS | SCREENERS
REFERRAL_READERS = CONCERN_AUTHORS | SCREENERS | AUTHORITY_WIDE | {Role.SOCIAL_WORKER}
# 'No names' advice is the MASH's record; the agency that asked may read it back.
CONSULTATION_READERS = CONCERN_AUTHORS | SCREENERS | AUDITORS
# Anyone may be invited to a meeting, or read minutes the chair sent them.
MEETING_READERS = CASE_WORKERS
AIM_READERS = CASE_WORKERS
# Those who may lead an AIM assessment: a social worker, their manager, or a practitioner of
# another lead agency such as youth justice or CAMHS (domain.md §7).
AIM_LEADS = frozenset({Role.PRACTITIONER, Role.SOCIAL_WORKER, Role.SW_MANAGER})
# Those who may work on an assessment beside its lead.
CO_WORKERS = CONCERN_AUTHORS | {Role.SOCIAL_WORKER, Role.SW_MANAGER}
# Records management (retention) is for the authority's administrators; its auditors read it.
RECORDS_MANAGEMENT = ADMINISTRATORS | AUDITORS
# Roles with power over other people's records, their audit or the portal itself: giving one
# needs a second administrator, as shortening a retention period does.
NEEDING_SECOND_APPROVAL = ADMINISTRATORS | AUDITORS | MANAGERS
