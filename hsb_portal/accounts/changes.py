"""Changes to what a person may do (their memberships and roles, AIM certification, active
state, records administration) are audited wherever they are made: the records admin, a
service, seed_demo or a shell.

Signals, unlike the services' own ``record`` calls, also see a save typed into a shell, which is
where power could otherwise be given unseen. Each event names the fields changed, from what to
what, in its detail (part of the hash chain), and keeps the record's version beside it.
"""

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from hsb_portal.accounts.models import Membership, User
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action


@dataclass(frozen=True)
class Changer:
    user: User | None
    membership: Membership | None


# Who is making changes now: set around every records admin page and by the services.
_changer: ContextVar[Changer | None] = ContextVar("accounts_changer", default=None)


@contextmanager
def made_by(user: User | None, membership: Membership | None = None) -> Iterator[None]:
    token = _changer.set(Changer(user, membership))
    try:
        yield
    finally:
        _changer.reset(token)


# The fields that say what a person may do, with the words the audit uses for them.
WATCHED: dict[type[models.Model], dict[str, str]] = {
    User: {
        "is_active": "Active",
        "aim_certified_on": "AIM certified on",
        "is_staff": "Records administration",
        "is_superuser": "Every permission",
    },
    Membership: {"user": "Person", "agency": "Agency", "role": "Role", "is_active": "Active"},
}

# What a watched row held before this save (None: it is being created). Kept on the instance
# between pre_save and post_save.
_BEFORE = "_audited_before"


def _attnames(model: type[models.Model]) -> list[str]:
    return [model._meta.get_field(name).attname for name in WATCHED[model]]  # type: ignore[union-attr]


@receiver(pre_save, sender=User)
@receiver(pre_save, sender=Membership)
def _remember_before(
    sender: type[models.Model], instance: models.Model, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and not set(update_fields) & set(WATCHED[sender]):
        setattr(instance, _BEFORE, False)  # a sign-in's last_login, a new password: not ours
        return
    before = None
    if instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values(*_attnames(sender)).first()
    setattr(instance, _BEFORE, before)


@receiver(post_save, sender=User)
@receiver(post_save, sender=Membership)
def _audit_change(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    before = getattr(instance, _BEFORE, None)
    if before is False:
        return
    changes = _changes(sender, before, instance)
    if not changes:
        return
    if isinstance(instance, User) and before is None and not _carries_power(instance):
        return  # a new account with no power yet: its memberships are audited as they come
    what = _what(instance)
    verb = "added" if before is None else "changed"
    _record(
        Action.CREATE if before is None else Action.CHANGE, instance, f"{what} {verb}: {changes}"
    )


@receiver(post_delete, sender=Membership)
def _audit_removal(sender: type[models.Model], instance: Membership, **kwargs: Any) -> None:
    _record(Action.CHANGE, instance, f"{_what(instance)} removed")


def _changes(sender: type[models.Model], before: dict[str, Any] | None, after: Any) -> str:
    """ "Role from Practitioner to Auditor; Active from yes to no", or what a new row holds."""
    parts = []
    for (name, label), attname in zip(WATCHED[sender].items(), _attnames(sender), strict=True):
        new = getattr(after, attname)
        if before is None:
            if new not in (None, "", False) or name == "is_active":
                parts.append(f"{label}: {_words(sender, name, new)}")
        elif before[attname] != new:
            old = _words(sender, name, before[attname])
            parts.append(f"{label} from {old} to {_words(sender, name, new)}")
    return "; ".join(parts)


def _words(sender: type[models.Model], name: str, value: Any) -> str:
    field = sender._meta.get_field(name)
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, models.ForeignKey):
        model = field.related_model
        related = model._default_manager.filter(pk=value).first()
        return _name_of(related) if related is not None else f"#{value}"
    choices = dict(getattr(field, "choices", None) or [])
    return str(choices.get(value, value))


def _name_of(related: models.Model) -> str:
    return related.email if isinstance(related, User) else str(related)


def _carries_power(user: User) -> bool:
    return bool(user.aim_certified_on or user.is_staff or user.is_superuser)


def _what(instance: models.Model) -> str:
    if isinstance(instance, Membership):
        return f"membership of {instance.user.email}"
    return f"account of {cast(User, instance).email}"


def _record(action: Action, instance: models.Model, detail: str) -> None:
    changer = _changer.get()
    if changer is None:
        detail = f"{detail} (made outside the portal, as system account {_system_account()})"
        record(None, action, instance, detail=detail)
        return
    record(changer.user, action, instance, membership=changer.membership, detail=detail)


def _system_account() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
