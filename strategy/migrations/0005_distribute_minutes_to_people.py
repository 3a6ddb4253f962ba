"""Minutes go to named people, not to whole agencies (issue 10), step 2 of 3: each
distribution to an agency becomes a distribution to the people of that agency who were invited
to the meeting (by name, or who answered the agency's invitation for it) and to its designated
safeguarding leads, each in their active roles there but auditor and administrator (the roles
that read no minutes this way). Everyone else in the agency loses access, which is the point.
An agency with none of these people keeps no distribution: the chair sends the minutes again,
to named people, from the meeting page.

The reverse gives each agency of a recipient its agency-wide distribution back, once per child
and version, with the earliest time it was sent; who the recipients were is not kept.
"""

from django.db import migrations
from django.db.models import Q

NO_MINUTES_ROLES = ["auditor", "administrator"]


def to_named_people(apps, schema_editor):
    Distribution = apps.get_model("strategy", "Distribution")
    Invitation = apps.get_model("strategy", "Invitation")
    Membership = apps.get_model("accounts", "Membership")
    rows = Distribution.objects.filter(recipient__isnull=True).select_related("meeting_child")
    for row in rows.order_by("pk"):
        invitations = Invitation.objects.filter(
            meeting=row.meeting_child.meeting_id, agency=row.agency_id
        )
        invited = set()
        for invitation in invitations:
            invited |= {
                invitation.person_id,
                invitation.responded_by_id,
                invitation.contributed_by_id,
            }
        invited.discard(None)
        people = (
            Membership.objects.filter(agency=row.agency_id, is_active=True)
            .exclude(role__in=NO_MINUTES_ROLES)
            .filter(Q(user__in=invited) | Q(role="dsl"))
        )
        for person in people.order_by("pk"):
            Distribution.objects.get_or_create(
                meeting_child_id=row.meeting_child_id,
                minutes_id=row.minutes_id,
                recipient=person,
                defaults={
                    "agency_id": row.agency_id,
                    "distributed_by_id": row.distributed_by_id,
                    "distributed_at": row.distributed_at,
                },
            )
        row.delete()


def to_agencies(apps, schema_editor):
    Distribution = apps.get_model("strategy", "Distribution")
    rows = Distribution.objects.filter(recipient__isnull=False).select_related("recipient")
    given_back = set()
    for row in list(rows.order_by("distributed_at", "pk")):
        key = (row.meeting_child_id, row.minutes_id, row.recipient.agency_id)
        if key not in given_back:
            given_back.add(key)
            Distribution.objects.create(
                meeting_child_id=row.meeting_child_id,
                minutes_id=row.minutes_id,
                agency_id=row.recipient.agency_id,
                distributed_by_id=row.distributed_by_id,
                distributed_at=row.distributed_at,
            )
        row.delete()


class Migration(migrations.Migration):
    dependencies = [("strategy", "0004_distribution_add_recipient")]

    operations = [migrations.RunPython(to_named_people, to_agencies, elidable=False)]
