"""Passwords that lean on words anyone could guess about this service (ASVS V6.2.11)."""

import re
from typing import Any

from django.core.exceptions import ValidationError

# Words an attacker tries first against this service: its name, its trade and its places.
CONTEXT_WORDS = (
    "hsbportal",
    "hsb",
    "portal",
    "mash",
    "safeguarding",
    "safeguard",
    "harmfulsexualbehaviour",
    "childprotection",
    "socialcare",
    "socialwork",
    "council",
    "password",
    "welcome",
)


class ContextWordsValidator:
    """Refuse a password that is mostly words about the service or the person's agencies:
    what is left once those words are taken out must still be long enough on its own."""

    def __init__(self, min_length: int = 15) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        remainder = password.lower()
        for word in sorted(self._words_for(user), key=len, reverse=True):
            remainder = remainder.replace(word, "")
        if len(remainder) < self.min_length:
            raise ValidationError(
                "Your password leans on words about this service or your organisation. "
                "Choose words nobody would link to you",
                code="password_context_words",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be mostly words about this service or your organisation."

    def _words_for(self, user: Any) -> set[str]:
        words = set(CONTEXT_WORDS)
        if user is not None and getattr(user, "pk", None):
            for membership in user.memberships.select_related("agency"):
                words.update(_words(membership.agency.name))
                for authority in membership.agency.authorities.all():
                    words.update(_words(authority.name))
        return {word for word in words if len(word) >= 3}


def _words(name: str) -> set[str]:
    # A name counts whole and word by word ("Harbourside Academy": harbourside, academy).
    parts = re.findall(r"[a-z0-9]+", name.lower())
    return {*parts, "".join(parts)}
