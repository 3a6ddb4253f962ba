from collections.abc import Callable
from typing import Any

import pytest

from hsb_portal.accounts.models import Agency, LocalAuthority, Membership
from tests.security.routes import Entitled, Visit, build


@pytest.fixture
def visit_of(
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    member: Callable[..., Membership],
    agency_for: Callable[..., Agency],
) -> Callable[..., Visit]:
    """``visit_of(url_name, who, **options)``: the page's record built for ``who``, and a
    client signed in as them (``routes.build``)."""

    def visit(name: str, who: Entitled, **options: Any) -> Visit:
        return build(
            name,
            who,
            authority=authority,
            other_authority=other_authority,
            member=member,
            agency_for=agency_for,
            **options,
        )

    return visit
