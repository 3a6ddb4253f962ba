"""The one access policy: may this person, acting in this role, do this to this record?

Every view is wrapped in ``guard`` (who may reach the page at all) and every record is fetched
through ``get_or_deny`` (may they see it, and do this to it). Lists use ``visible`` so that a
list shows exactly the rows the detail pages would allow. Refusals are audited.

Refusals: **404** when the person has no relationship to the record, so its existence is not
revealed; **403** when they may see it but not do this, or when their role may not use the page.

The package: ``policy`` (each record kind's rules), ``guard`` (the page guard and refusals),
``lookups`` (fetching and listing through the policy) and ``abilities`` (what a page may offer).
``from hsb_portal import access`` and ``access.<name>`` are the way to use it.
"""

from hsb_portal.access.abilities import abilities, may_reach
from hsb_portal.access.guard import (
    CSRF_REFUSED,
    FRESH_SECOND_FACTOR_SECONDS,
    OUT_OF_PLACE,
    ROLE_REFUSED,
    SAFE_METHODS,
    URL_RECORDS,
    UrlRecord,
    View,
    audit_refusal,
    guard,
    may_use,
    records_named,
    refuse_records_out_of_place,
)
from hsb_portal.access.lookups import (
    LikelyMatch,
    allows,
    audit_list_view,
    finds_children_it_may_not_see,
    get_child_minutes_or_deny,
    get_or_deny,
    likely_matches,
    may,
    may_act,
    record_view,
    refuse,
    render_form_page,
    visible,
)
from hsb_portal.access.policy import (
    POLICIES,
    Policy,
    child_authorities,
    invitations_of,
    known_meeting_children,
    policy_for,
    whole_meeting_children,
)

__all__ = [
    "CSRF_REFUSED",
    "FRESH_SECOND_FACTOR_SECONDS",
    "OUT_OF_PLACE",
    "POLICIES",
    "ROLE_REFUSED",
    "SAFE_METHODS",
    "URL_RECORDS",
    "LikelyMatch",
    "Policy",
    "UrlRecord",
    "View",
    "abilities",
    "allows",
    "audit_list_view",
    "audit_refusal",
    "child_authorities",
    "finds_children_it_may_not_see",
    "get_child_minutes_or_deny",
    "get_or_deny",
    "guard",
    "invitations_of",
    "known_meeting_children",
    "likely_matches",
    "may",
    "may_act",
    "may_reach",
    "may_use",
    "policy_for",
    "record_view",
    "records_named",
    "refuse",
    "refuse_records_out_of_place",
    "render_form_page",
    "visible",
    "whole_meeting_children",
]
