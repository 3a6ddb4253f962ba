from django.contrib.auth.hashers import PBKDF2PasswordHasher


class StrongerPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 at the iteration count Django 6 adopts; older hashes upgrade at next log-in."""

    iterations = 1_500_000
