"""Staff accounts: the actor, logins, sessions, second factors, roles and enrolment."""
