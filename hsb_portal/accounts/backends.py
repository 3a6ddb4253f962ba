"""Signing in with an e-mail address and password: Django's own check, refusing the demo's
people on a real server."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from hsb_portal.accounts import demo
from hsb_portal.accounts.models import User


class PasswordBackend(ModelBackend):
    # The demo password is printed in the README: it opens nothing unless DEBUG is on, even
    # where seed_demo was run against a real database.

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        return _unless_demo(super().authenticate(request, username, password, **kwargs))

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        return _unless_demo(await super().aauthenticate(request, username, password, **kwargs))


def _unless_demo(user: User | None) -> User | None:
    return user if user is None or demo.may_sign_in(user) else None
