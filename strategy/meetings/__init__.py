"""Strategy meetings (issue 5; domain.md §6): convening, invitations, minutes kept separately for
each child, their approval, amendment, distribution and export to PDF."""
