"""A row for each run of a scheduled job: when, where, how it ended, and what it did (counts and
opaque ids only, never a child's details). The rows are also the jobs' lock: a job has at most
one run in progress at a time, which the database enforces."""

from django.db import models
from django.utils import timezone


class RunState(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # Another run of the same job was in progress, so this one did nothing.
    SKIPPED = "skipped", "Skipped"
    # Its worker died part-way; a later run took over after the time limit.
    ABANDONED = "abandoned", "Abandoned"


class ScheduledRun(models.Model):
    job = models.CharField(max_length=50)
    state = models.CharField(max_length=20, choices=RunState.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker (or command) that ran it: host name and process.
    worker = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # Two workers (or a worker and someone at the command line) starting the same job
            # at once: the second insert fails, and that run is recorded as skipped.
            models.UniqueConstraint(
                fields=["job"],
                condition=models.Q(state="running"),
                name="one_running_run_per_job",
            )
        ]
        indexes = [models.Index(fields=["job", "state", "-started_at"], name="run_job_state_idx")]
        permissions = [("run_job", "Can run a scheduled job now")]

    def __str__(self) -> str:
        return f"{self.job} {self.state} {self.started_at:%Y-%m-%d %H:%M}"
