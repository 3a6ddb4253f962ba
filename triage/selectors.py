from django.db.models import QuerySet

from hsb_portal import access
from hsb_portal.accounts.models import Membership
from triage.models import Child


def children_for(membership: Membership | None) -> QuerySet[Child]:
    """The children this membership may see, for a list page."""
    return access.visible(membership, Child.objects.select_related("authority")).order_by(
        "family_name", "given_name", "pk"
    )
