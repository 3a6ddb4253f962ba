"""The one person the deployment drill signs in as, made with the installed release's own code
(``manage.py shell < scripts/drills/drill_person.py``): a class teacher with a password and an
authenticator whose key the drill knows. A production server has no demo data, so the drill
adds only this. Values come from the environment: DRILL_EMAIL, DRILL_PASSWORD, DRILL_TOTP_KEY.
"""

import os

from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from hsb_portal.accounts.procedure_profiles import DERBY_LIKE, apply_profile

authority, _ = LocalAuthority.objects.get_or_create(
    code="drill", defaults={"name": "Drill Borough Council"}
)
apply_profile(authority, DERBY_LIKE)
agency, _ = Agency.objects.get_or_create(name="Drill Academy", kind=AgencyKind.SCHOOL)
agency.authorities.add(authority)
person = User.objects.create_user(
    os.environ["DRILL_EMAIL"], os.environ["DRILL_PASSWORD"], full_name="Drill Teacher"
)
Membership.objects.create(user=person, agency=agency, role=Role.PRACTITIONER)
TOTPDevice.objects.create(
    user=person, name="Authenticator app", key=os.environ["DRILL_TOTP_KEY"], confirmed=True
)
print(f"Drill person {person.email} with an authenticator, in {agency.name}")
