"""One child's minutes as a PDF (WeasyPrint, through ``hsb_portal.documents``): that child's
minutes only, every other child as "Child B", with OFFICIAL-SENSITIVE, page numbers and who
generated it on every page. Every download is audited, naming only that child; so is a failed
one (security.md, "When PDF generation fails")."""

from hsb_portal.accounts.models import Membership, User
from hsb_portal.audit import log as audit
from hsb_portal.audit.models import Action
from hsb_portal.documents import DocumentFailed, render_pdf
from strategy.meetings.minutes import minutes_for_child
from strategy.models import MeetingChild, MinutesVersion

TEMPLATE = "documents/minutes_child.html"
FILENAME_PREFIX = "minutes"
FAILED_MESSAGE = "The minutes could not be created. Try again."


def child_minutes_pdf(
    *, place: MeetingChild, minutes: MinutesVersion, by: User, membership: Membership | None
) -> bytes:
    """Render ``place``'s minutes in ``minutes``, and audit the export (or its failure)."""
    content = minutes_for_child(place, minutes)
    what = f"minutes of {place.pseudonym}, version {minutes.number}"
    try:
        data = render_pdf(
            template_name=TEMPLATE,
            context={"minutes": content},
            generated_by=by,
            title=content.title,
        )
    except DocumentFailed:
        audit.record(
            by,
            Action.EXPORT,
            place,
            membership=membership,
            children=[place.child.public_id],
            detail=f"export_failed: {what}",
        )
        raise
    audit.record(
        by,
        Action.EXPORT,
        place,
        membership=membership,
        children=[place.child.public_id],
        detail=f"{what} (PDF)",
    )
    return data
