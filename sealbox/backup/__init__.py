"""Backups: one archive, sealed to the organisation's offline backup key, that holds a consistent
snapshot of the database, every blob and the instance secrets; its verification; and a restore
into an empty instance. The server can write a backup but never read one."""
