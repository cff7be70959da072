"""The commands of `sealbox` (started by `sealbox.cli.main`), as one Typer app.

Each command imports what it needs when it runs, so that `sealbox --help` never loads the web
application, the database layer or the cipher. Commands defined in other packages (`_LAZY`)
are listed from their name and help line alone and imported when invoked.
"""

from __future__ import annotations

import getpass
import importlib
import os
import sys
from pathlib import Path

import typer
from typer.core import TyperCommand, TyperGroup

# name -> (module whose register(app) adds it, the help line listed by `sealbox --help`,
# whether it is a group of subcommands). tests/test_cli.py checks the lines stay true.
_LAZY: dict[str, tuple[str, str, bool]] = {
    "scrub": (
        "sealbox.scrub.cli",
        "Remove identifying metadata (GPS, camera serials, authors, dates...) from files.",
        False,
    ),
    "doctor": (
        "sealbox.doctor.cli",
        "Check this instance: permissions, schema, blob store, mail, disk, clock, KDF, TLS.",
        False,
    ),
    "audit": ("sealbox.audit.cli", "Verify, anchor, export and witness the audit log.", True),
    "backup": (
        "sealbox.backup.cli",
        "Back up the instance sealed to an offline key; verify and restore backups.",
        True,
    ),
    "recovery-key": (
        "sealbox.recovery.cli",
        "Register the organisation's offline recovery key (its public half).",
        True,
    ),
    "recovery": (
        "sealbox.recovery.cli",
        "Give a reset account its reports back, with the offline recovery key.",
        True,
    ),
    "jobs": (
        "sealbox.jobs.cli",
        "Run the periodic jobs (sessions, retention, reminders, audit anchor, disk, mail).",
        True,
    ),
}


def load_command(name: str) -> typer.main.click.Command:
    """The real command `name` of `_LAZY`, imported now."""
    module, _, _ = _LAZY[name]
    holder = typer.Typer(add_completion=False)
    holder.callback()(lambda: None)  # a group even when the module adds a single command
    importlib.import_module(module).register(holder)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return group.commands[name]


class _LazyGroup(TyperGroup):
    """The root group: lazy commands are listed by their help line and loaded when invoked."""

    def list_commands(self, ctx):
        names = [n for n in super().list_commands(ctx) if n not in _LAZY]
        plain = [n for n in names if not isinstance(self.commands[n], TyperGroup)]
        groups = [n for n in names if n not in plain]
        lazy_plain = [n for n, (_, _, group) in _LAZY.items() if not group]
        lazy_groups = [n for n, (_, _, group) in _LAZY.items() if group]
        return plain + lazy_plain + groups + lazy_groups

    def get_command(self, ctx, cmd_name):
        if cmd_name in _LAZY and cmd_name not in self.commands:
            return TyperCommand(cmd_name, help=_LAZY[cmd_name][1])  # listed, not yet loaded
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx, formatter):
        # The command list alone is written plainly: Typer's rich formatter costs more to
        # import than the rest of `sealbox --help` together. Each command's help stays rich.
        super(TyperGroup, self).format_help(ctx, formatter)

    def parse_args(self, ctx, args):
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            typer.echo(ctx.get_help())  # Typer prints only the help its rich formatter wrote
            ctx.exit(2)
        return super().parse_args(ctx, args)

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx, args):
        if args and args[0] in _LAZY and args[0] not in self.commands:
            self.commands[args[0]] = load_command(args[0])
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_LazyGroup,
    help="Sealbox: a whistleblowing platform that cannot leak what it cannot read.",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
channel_app = typer.Typer(help="Manage channels.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(channel_app, name="channel")

DataDir = typer.Option(
    None, "--data-dir", "-d", help="Data directory (default: $SEALBOX_DATA_DIR or ./data)."
)


def _settings(data_dir: Path | None):
    from sealbox import settings

    overrides = {"data_dir": data_dir} if data_dir else {}
    try:
        return settings.load(**overrides)
    except ValueError as exc:  # a setting that cannot work (its message says which and why)
        _fail(f"configuration: {exc}", 2)


def _services(data_dir: Path | None):
    """The services on a database at this release's schema; any other schema stops the
    command with the one to run (`sealbox init`, `sealbox upgrade`, or a newer release)."""
    from sealbox import services
    from sealbox.store.schema_version import SchemaMismatch

    try:
        return services.build(_settings(data_dir), migrate=False)
    except SchemaMismatch as exc:
        _fail(str(exc))


def _new_or_current(data_dir: Path | None):
    """The services, making the schema if the database has none; an existing database at
    another revision is left to `sealbox upgrade` (which shows each step)."""
    from sealbox import services
    from sealbox.store.schema_version import SchemaMismatch

    settings = _settings(data_dir)
    try:
        return services.build(settings, migrate=False)
    except SchemaMismatch as exc:
        if exc.state.verdict != "new":
            _fail(str(exc))
    return services.build(settings, migrate=True)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _read_secret(prompt: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(prompt)


def _print_new_account(added) -> None:
    typer.echo(f"  username:          {added.username}")
    typer.echo(f"  role:              {added.awaiting or added.role}")
    typer.echo(f"  one-time password: {added.password}")
    typer.echo(
        "  Hand it on by a safe route. At the first login at /staff/login (no code yet) the\n"
        "  holder sets up their authenticator app and chooses their own password; their key is\n"
        "  made then, under that password only. Nobody else ever sees either."
    )
    if added.awaiting:
        typer.echo(
            f"  The account holds no role until an existing {added.awaiting} approves it in\n"
            "  Sealbox (Approvals), after comparing the key fingerprint with the holder."
        )


@app.command()
def init(data_dir: Path | None = DataDir) -> None:
    """Create the data directory, the database schema and this instance's secrets."""
    svc = _new_or_current(data_dir)
    typer.echo(
        f"Sealbox is ready in {svc.settings.data_dir.resolve()} ({svc.db.engine.dialect.name})."
    )
    code = svc.accounts.setup_code()
    if code is not None:
        typer.echo(
            "To set it up in a browser, open /staff/setup and type this one-time setup code\n"
            "(it works once, for a day; run init again for a new one):\n"
            f"  setup code:        {code}"
        )


@app.command()
def upgrade(data_dir: Path | None = DataDir) -> None:
    """Migrate the database to this release's schema, one revision at a time (back up first)."""
    from sealbox import services
    from sealbox.store import schema_version

    settings = _settings(data_dir)
    try:
        svc = services.build(settings, migrate=False)
    except schema_version.SchemaMismatch as exc:
        if exc.state.verdict == "ahead":
            _fail(str(exc))
        was = exc.state.current or "nothing"
        steps = len(exc.state.pending)
        typer.echo(f"Upgrading the schema from {was} to {exc.state.head}: {steps} revision(s).")
        svc = services.build(
            settings,
            migrate=True,
            applied=lambda rev: typer.echo(f"  applied {schema_version.describe(rev)}"),
        )
        typer.echo(f"The database is at {exc.state.head}, this release's schema.")
    else:
        head = schema_version.state(svc.db.engine).head
        typer.echo(f"The database is already at {head}, this release's schema: nothing to do.")
    svc.db.dispose()


@app.command()
def serve(
    data_dir: Path | None = DataDir,
    host: str | None = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default 8080)."),
    workers: int = typer.Option(
        1,
        min=1,
        help="Serving processes sharing the port, the database and the blob store (use "
        "PostgreSQL beyond one). The jobs run once, in the process that starts them.",
    ),
) -> None:
    """Run the web server (source pages at /, staff pages at /staff/)."""
    from sealbox import logs
    from sealbox.web import server

    if workers == 1:
        from sealbox.scrub import worker

        # Fork the cleaning worker before any thread starts (a fork copies only the calling
        # thread). With several workers each does so itself (`worker_app`).
        worker.prestart()
    _more_open_files()
    svc = _services(data_dir)
    from sealbox.jobs import orphans

    swept = svc.blobs.sweep_temp()
    if swept:
        typer.echo(f"Removed {swept} half-made copies left by an earlier stop.")
    # Blobs of uploads cut off by a stop (a crash, a kill): no row names them, nothing holds
    # them. Those of uploads in flight in other servers sharing the store are held (the
    # filesystem store) or young (S3): left.
    swept = orphans.sweep(svc.db, svc.blobs)
    if swept:
        typer.echo(f"Removed {swept} file(s) of uploads cut off by an earlier stop.")
    logs.setup(svc.settings.log_level)
    from sealbox.jobs import background

    # Retention, reminders, mail: each job is leased in the database, so any number of
    # serving processes (here or on other hosts) run each once.
    jobs = background.start(svc)
    where = (host or svc.settings.host, port or svc.settings.port)
    if workers == 1:
        from sealbox.web.app import create_app

        server.run(create_app(svc), svc.settings, *where)
    else:
        import os

        # The workers are fresh interpreters (spawned): they read the same settings, so the
        # data directory given here must reach them the way settings are read.
        if data_dir is not None:
            os.environ["SEALBOX_DATA_DIR"] = str(data_dir)
        server.run_workers("sealbox.commands:worker_app", svc.settings, *where, workers)
    if jobs is not None:
        jobs.stop()


def worker_app():
    """The app of one of `serve --workers N`'s processes: its own services (database pool,
    KDF queue, cleaning worker) on the shared database and blob store; no jobs, no sweeps."""
    from sealbox import logs
    from sealbox.scrub import worker
    from sealbox.web import server
    from sealbox.web.app import create_app

    worker.prestart()
    svc = _services(None)
    logs.setup(svc.settings.log_level)
    server.configure(svc.settings)
    return create_app(svc)


def _more_open_files() -> None:
    """An upload holds each of its files open (locked) until its submission commits, so many
    uploads at once need many descriptors: lift the soft limit toward the hard one."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@app.command()
def demo(
    data_dir: Path | None = DataDir,
    host: str | None = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default 8080)."),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="Set up the demo but do not start the server."
    ),
) -> None:
    """Set up a demo channel and handler (one-time password printed once), then serve."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.accounts.roles import Role
    from sealbox.errors import Conflict

    svc = _new_or_current(data_dir)
    try:
        added = svc.accounts.add(COMMAND_LINE, "demo-handler", Role.HANDLER)
    except Conflict:
        added = None
    if added is not None:
        svc.channels.add(
            COMMAND_LINE,
            "demo",
            "Demo channel",
            "A channel for trying Sealbox. Do not send real reports here.",
            handlers=["demo-handler"],
        )
    settings = svc.settings
    if added is not None:
        typer.secho("Demo handler account (shown once; write it down):", bold=True)
        _print_new_account(added)
    else:
        typer.echo(
            "The demo is already set up; its one-time password was printed when it was made."
        )
    url = f"http://{host or settings.host}:{port or settings.port}"
    typer.echo(f"\nSource pages: {url}/    Staff pages: {url}/staff/")
    if settings.public_url:
        typer.echo(f"Security keys work at the public address: {settings.webauthn_origin}/staff/")
    if not no_serve:
        serve(data_dir=data_dir, host=host, port=port)


@user_app.command("reset")
def user_reset(username: str, data_dir: Path | None = DataDir) -> None:
    """A forgotten password: the account enrols anew with a new one-time password.

    Its old key is erased with every wrap made to it; the reports it held come back only
    through `sealbox recovery` with the organisation's offline recovery key.
    """
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.errors import SealboxError

    svc = _services(data_dir)
    try:
        password = svc.accounts.reset_account(COMMAND_LINE, username)
    except SealboxError as exc:
        _fail(str(exc))
    typer.echo(f"  username:          {username}")
    typer.echo(f"  one-time password: {password}")
    typer.echo(
        "  Hand it on by a safe route; the holder sets up a new authenticator, password and key\n"
        "  at their next login. Then give them back their reports:\n"
        f"    sealbox recovery export --user {username} -o {username}-recovery.json   (here)\n"
        f"    sealbox recovery open {username}-recovery.json -i RECOVERY-KEY --to THEIR-NEW-KEY"
        "   (offline)\n"
        "    sealbox recovery import REOPENED.json   (here)"
    )


@user_app.command("add")
def user_add(
    username: str,
    role: str = typer.Option("handler", help="admin, handler, custodian or auditor."),
    email: str | None = typer.Option(
        None, "--email", help="Address for notifications (new reports, reminders, alerts)."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Add a staff account; prints its one-time password (the holder enrols at first login).

    The first custodian is named here at install time; later custodians need an existing
    custodian's approval.
    """
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.errors import SealboxError

    svc = _services(data_dir)
    try:
        added = svc.accounts.add(COMMAND_LINE, username, role, email or "")
    except SealboxError as exc:
        _fail(str(exc))
    if added.awaiting:
        typer.secho(f"Added {username}; the role {added.awaiting} awaits approval.", bold=True)
    else:
        typer.secho(f"Added {role} {username}.", bold=True)
    _print_new_account(added)


@channel_app.command("add")
def channel_add(
    slug: str,
    name: str = typer.Option(..., help="Name shown to sources."),
    description: str = typer.Option("", help="One or two sentences for sources."),
    handler: list[str] = typer.Option(
        [], "--handler", help="Username of a first handler (repeatable)."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Add a channel that sources can send reports to, with its first handlers.

    Later handlers join on the staff pages, with the approval of a handler of the channel.
    """
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.errors import SealboxError

    svc = _services(data_dir)
    try:
        svc.channels.add(COMMAND_LINE, slug, name, description, handler)
    except SealboxError as exc:
        _fail(str(exc))
    typer.echo(
        f"Added channel {slug}." + ("" if handler else " It accepts reports once it has a handler.")
    )


@app.command("keygen")
def keygen(
    output: Path = typer.Option(
        ..., "-o", "--output", help="Where to write the new identity file."
    ),
) -> None:
    """Make an age identity for an offline-key handler (its public key is given at enrolment)."""
    from sealbox.accounts.service import Accounts

    if output.exists():
        _fail(f"{output} exists; refusing to overwrite a key.")
    made = Accounts.new_offline_key()
    _write_key(output, made.identity)
    typer.echo(f"Public key: {made.public_key}")


def _write_key(output: Path, identity: str) -> None:
    """Write an age identity file readable by its owner only; never over an existing file."""
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(identity)


@app.command("export-key")
def export_key(
    username: str,
    output: Path = typer.Option(..., "-o", "--output", help="Identity file to write (mode 600)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """Write a handler's private key as an age identity file (for `age -d -i`, `decrypt`)."""
    from sealbox.accounts.actor import COMMAND_LINE
    from sealbox.errors import SealboxError

    if output.exists():
        _fail(f"{output} exists; refusing to overwrite a key.")
    svc = _services(data_dir)
    password = _read_secret(f"Password for {username}: ", password_stdin)
    try:
        identity = svc.accounts.export_key(COMMAND_LINE, username, password)
    except SealboxError as exc:
        _fail(str(exc))
    _write_key(output, identity)
    typer.echo(
        f"Wrote the identity of {username} to {output}. Keep it offline; delete it when done."
    )


@app.command("export")
def export_report(
    report_id: str,
    user: str = typer.Option(..., "--user", help="Handler whose key wrap goes in the bundle."),
    output: Path = typer.Option(..., "-o", "--output", help="Bundle file to write (.zip)."),
    data_dir: Path | None = DataDir,
) -> None:
    """Write a report's encrypted export bundle for one handler (nothing is decrypted)."""
    from sealbox.errors import SealboxError

    svc = _services(data_dir)
    try:
        bundle = svc.reports.export_for(user, report_id)
    except SealboxError as exc:
        _fail(str(exc))
    with open(output, "wb") as sink:
        bundle.write(sink)
    typer.echo(f"Wrote {output} ({output.stat().st_size:,} bytes, all sealed).")


@app.command()
def decrypt(
    bundle: Path = typer.Argument(..., help="An export bundle (.zip) downloaded from Sealbox."),
    identity: Path = typer.Option(..., "-i", "--identity", help="Your age identity file."),
    output: Path = typer.Option(
        Path("report"), "-o", "--output", help="Directory for the decrypted report."
    ),
) -> None:
    """Open an export bundle offline with your age identity."""
    from sealbox.errors import SealboxError
    from sealbox.reports import offline

    if not bundle.is_file():
        _fail(f"{bundle} does not exist.", 2)
    try:
        written = offline.decrypt_bundle(
            bundle, identity, output, progress=lambda m: typer.echo(m, err=True)
        )
    except OSError as exc:
        _fail(f"{exc.filename}: {exc.strerror}")
    except SealboxError as exc:
        _fail(str(exc))
    typer.echo(
        f"Decrypted {len(written)} file(s) into {output}/ (conversation in conversation.txt)."
    )
