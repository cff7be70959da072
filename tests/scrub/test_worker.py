"""Hostile inputs through the isolated worker: a specific refusal or a safe result."""

import time

import pytest

from sealbox.scrub import CleanOptions, Outcome, WorkerLimits, clean_isolated

from . import builders

LIMITS = WorkerLimits(memory_bytes=1024**3, cpu_seconds=20, wall_seconds=30)


def refused(data, code, options=None):
    start = time.monotonic()
    result = clean_isolated(data, options or CleanOptions(), LIMITS)
    assert result.outcome is Outcome.CANNOT_CLEAN, result
    assert result.data is None
    assert result.reason.code == code, result.reason
    assert result.summary().startswith("Cannot be cleaned: ")
    assert time.monotonic() - start < LIMITS.wall_seconds
    return result


def test_isolated_cleaning_matches_in_process():
    result = clean_isolated(builders.jpeg(), CleanOptions(), LIMITS)
    assert result.outcome is Outcome.CLEANED and "gps" in {f.code for f in result.removed}


def test_decompression_bomb_png():
    refused(builders.big_png(), "too_large")


def test_nested_zip_bomb():
    refused(builders.zip_bomb_nested(width=10, levels=3, leaf=32 * 1024 * 1024), "bomb")


def test_overlapping_zip_bomb():
    refused(builders.zip_bomb_overlapping(), "overlapping")


def test_hundred_deep_nested_zip():
    refused(builders.nested_zip(100), "too_deep")


def test_truncated_files_and_empty_file():
    jpeg, pdf = builders.jpeg(), builders.pdf()
    refused(jpeg[: len(jpeg) // 2], "damaged")
    refused(pdf[: len(pdf) // 2], "damaged")
    refused(b"", "empty")


def test_pdf_with_javascript_is_cleaned_and_says_so():
    result = clean_isolated(builders.pdf(with_js=True), CleanOptions(), LIMITS)
    assert result.outcome is Outcome.CLEANED and "javascript" in {f.code for f in result.removed}


def test_worker_that_runs_out_of_time_is_stopped(monkeypatch):
    limits = WorkerLimits(memory_bytes=1024**3, cpu_seconds=1, wall_seconds=10)
    # A lossless huge image re-rendered in strict mode burns CPU past the limit.
    data = builders.png((6000, 6000))
    start = time.monotonic()
    result = clean_isolated(data, CleanOptions(strict_images=True), limits)
    assert time.monotonic() - start < 10
    assert result.outcome is Outcome.CANNOT_CLEAN or result.outcome is Outcome.CLEANED
    if result.outcome is Outcome.CANNOT_CLEAN:
        assert result.reason.code in ("timeout", "memory")


def test_worker_memory_limit_turns_into_a_reason():
    limits = WorkerLimits(memory_bytes=300 * 1024**2, cpu_seconds=20, wall_seconds=30)
    data = builders.png((12000, 12000))
    result = clean_isolated(data, CleanOptions(strict_images=True), limits)
    assert result.outcome is Outcome.CANNOT_CLEAN
    assert result.reason.code in ("memory", "timeout", "crashed")


@pytest.mark.parametrize("name", ["../../etc/passwd", "a\x00b\x1b[2J.jpg", "\u202egpj.exe"])
def test_names_never_reach_the_cleaner(name):
    # The cleaner sees bytes only; the display name goes through sanitise_filename.
    from sealbox.scrub.filenames import sanitise_filename

    safe = sanitise_filename(name)
    assert "/" not in safe and "\x00" not in safe and "\u202e" not in safe


def test_files_cleaned_at_once_each_get_their_own_result():
    from concurrent.futures import ThreadPoolExecutor

    inputs = [builders.jpeg((16 + i, 12)) for i in range(6)] + [b"plain words\n"] * 6
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda d: clean_isolated(d, CleanOptions(), LIMITS), inputs))
    assert [r.kind for r in results] == ["image/jpeg"] * 6 + ["text/plain"] * 6
    assert results[-1].data == b"plain words\n"


def test_a_dead_zygote_is_replaced():
    from sealbox.scrub import worker

    clean_isolated(b"warm up", CleanOptions(), LIMITS)
    old = worker._zygote
    old.proc.kill()
    old.proc.wait()
    result = clean_isolated(builders.jpeg(), CleanOptions(), LIMITS)
    assert result.outcome is Outcome.CLEANED
    assert worker._zygote is not old


def test_a_result_from_a_child_cannot_carry_code():
    import io
    import os
    import pickle

    from sealbox.scrub.worker import _ResultUnpickler

    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError):
        _ResultUnpickler(io.BytesIO(pickle.dumps(Evil()))).load()


def test_a_child_holds_no_other_files_socket():
    from sealbox.scrub import worker, zygote

    owner = worker._Zygote()
    try:
        first, second = owner.job(LIMITS), owner.job(LIMITS)
        pids = []
        for sock in (first, second):
            tag, payload = zygote.recv_frame(sock)
            assert tag == b"P"
            pids.append(int.from_bytes(payload, "big", signed=True))
        # The second child was forked while the first job's socket was open in the zygote; it
        # closes everything but its own before it reads a byte.
        deadline = time.monotonic() + 5
        while True:
            fds = _open_files(pids[1])
            others = [fd for fd, name in fds.items() if name.startswith(("socket", "anon_inode"))]
            if len(others) == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        assert len(others) == 1, fds
        first.close()
        second.close()
    finally:
        owner.close()


def _open_files(pid: int) -> dict[str, str]:
    import contextlib
    import os

    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):  # closed while we looked
            out[fd] = os.readlink(f"/proc/{pid}/fd/{fd}")
    return out


def test_a_child_forked_from_the_command_line_gives_the_same_result():
    from sealbox.scrub.worker import clean_forked

    result = clean_forked(builders.jpeg(), CleanOptions(), LIMITS)
    assert result.outcome is Outcome.CLEANED and "gps" in {f.code for f in result.removed}
    assert clean_forked(b"", CleanOptions(), LIMITS).reason.code == "empty"


def test_a_child_forked_from_the_command_line_keeps_the_limits():
    from sealbox.scrub.worker import clean_forked

    limits = WorkerLimits(memory_bytes=300 * 1024**2, cpu_seconds=20, wall_seconds=30)
    result = clean_forked(builders.png((12000, 12000)), CleanOptions(strict_images=True), limits)
    # Forked from this (large) test process, the child may fail in a library before Python
    # sees a MemoryError: any refusal will do, never a result.
    assert result.outcome is Outcome.CANNOT_CLEAN and result.data is None
    stalled = clean_forked(
        builders.png((6000, 6000)),
        CleanOptions(strict_images=True),
        WorkerLimits(memory_bytes=1024**3, cpu_seconds=1, wall_seconds=10),
    )
    if stalled.outcome is Outcome.CANNOT_CLEAN:
        assert stalled.reason.code in ("timeout", "memory")
