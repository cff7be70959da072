"""What the second step of a staff login costs the server: verifying a security key's answer,
beside checking a TOTP code and the password check (one Argon2id run, 64 MiB, 3 passes) that
every login pays anyway.

    PYTHONPATH=. python3 bench/second_factor/run.py [--rounds N]

The answers come from the tests' software authenticator (ES256, real assertions). Prints
p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sealbox.accounts import totp
from sealbox.crypto import KdfParams, hash_password, passkeys, verify_password
from tests.soft_authenticator import SoftAuthenticator


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:8.3f} ms   p95 {p95 * 1000:8.3f} ms"


def _timed(run, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds

    rp = passkeys.RelyingParty("sealbox.test", "Sealbox", "http://sealbox.test")
    device = SoftAuthenticator(rp.origin)
    challenge = passkeys.new_challenge()
    options = passkeys.registration_options(rp, b"user", "hana", challenge, [])
    key = passkeys.verify_registration(rp, device.create(json.loads(options)), challenge)
    known = [passkeys.KnownKey(key.credential_id)]

    answers = []
    for _ in range(rounds):
        challenge = passkeys.new_challenge()
        request = json.loads(passkeys.authentication_options(rp, challenge, known))
        answers.append((challenge, device.get(request)))
    pending = iter(answers)

    def verify_key() -> None:
        challenge, answer = next(pending)
        passkeys.verify_assertion(rp, answer, challenge, key.public_key)

    secret = totp.new_secret()
    password = "harbour lantern quietly orbit"
    stored = hash_password(password, KdfParams())
    print(f"security key answer    {_ms(_timed(verify_key, rounds))}")
    code = _timed(lambda: totp.matching_step(secret, "123456", time.time(), 0), rounds)
    print(f"TOTP code (reference)  {_ms(code)}")
    argon = _timed(lambda: verify_password(stored, password, KdfParams()), max(3, rounds // 40))
    print(f"password (reference)   {_ms(argon)}")


if __name__ == "__main__":
    main()
