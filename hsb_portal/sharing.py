"""Records shared with an agency, held as django-guardian object grants.

An agency's grants are held by a Django group, one per agency, so that everyone acting for the
agency sees what was shared with it and nobody keeps it after leaving. ``access.py`` reads the
grants through ``shared_with``; nothing else should.
"""

from typing import Any

from django.contrib.auth.models import Group
from django.db import models, transaction
from django.db.models.functions import Cast
from guardian.models import GroupObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from hsb_portal.accounts.models import Agency, Membership, User
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action


def agency_group_name(agency: Agency) -> str:
    return f"agency:{agency.public_id}"


def view_permission(model: type[models.Model]) -> str:
    return f"view_{model._meta.model_name}"


def shared_with(membership: Membership, model: type[models.Model]) -> models.Q:
    """The rows of ``model`` shared with the membership's agency, as one subquery."""
    granted = (
        GroupObjectPermission.objects.filter(
            group__name=agency_group_name(membership.agency),
            permission__codename=view_permission(model),
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )
        .annotate(granted_pk=Cast("object_pk", models.BigIntegerField()))
        .values("granted_pk")
    )
    return models.Q(pk__in=granted)


@transaction.atomic
def share_with_agency(
    *, obj: Any, agency: Agency, by: User, membership: Membership | None, children: list[Any]
) -> None:
    """Let everyone acting for ``agency`` see ``obj`` (read only)."""
    group, _ = Group.objects.get_or_create(name=agency_group_name(agency))
    assign_perm(f"{obj._meta.app_label}.{view_permission(type(obj))}", group, obj)
    record(
        by,
        Action.CHANGE,
        obj,
        membership=membership,
        children=children,
        detail=f"shared with {agency.name}",
    )


@transaction.atomic
def stop_sharing_with_agency(
    *, obj: Any, agency: Agency, by: User, membership: Membership | None, children: list[Any]
) -> None:
    group = Group.objects.filter(name=agency_group_name(agency)).first()
    if group is not None:
        remove_perm(f"{obj._meta.app_label}.{view_permission(type(obj))}", group, obj)
    record(
        by,
        Action.CHANGE,
        obj,
        membership=membership,
        children=children,
        detail=f"no longer shared with {agency.name}",
    )
