"""Periodic jobs, one small module each (GlobaLeaks' layout): sessions, retention, reminders, mail.

They run in a thread of `sealbox serve` (setting jobs_in_process) and/or from cron with
`sealbox jobs run --once`. Each job is claimed through a lease row in `job_locks`, so any number
of workers and cron entries may try at once: one runs it, the others skip it.
"""
