from typing import Any

from hsb_portal.http import MembershipRequest
from hsb_portal.navigation import nav_items


def hsb(request: MembershipRequest) -> dict[str, Any]:
    membership = request.membership
    return {
        "hsb": {
            "nav_items": nav_items(request),
            "authority_name": membership.authority_names if membership else "",
            "role_label": membership.get_role_display() if membership else "",
            "agency_name": membership.agency.name if membership else "",
            "role_described": membership.described if membership else "",
            "can_switch_role": len(request.memberships) > 1,
        }
    }
