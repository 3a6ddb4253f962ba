from typing import Any

from django.http import HttpRequest

from hsb_portal.navigation import nav_items


def hsb(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "hsb": {
            "nav_items": nav_items(request),
            "authority_name": membership.authority_names if membership else "",
            "role_label": membership.get_role_display() if membership else "",
            "agency_name": membership.agency.name if membership else "",
            "can_switch_role": len(getattr(request, "memberships", [])) > 1,
            "is_administrator": bool(membership and membership.role == "administrator"),
        }
    }
