"""The crypto layer's promises, checked against the reference `age` CLI where it matters."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest

from sealbox import crypto
from sealbox.crypto import Identity, KdfParams, Recipient, Sealed, passphrase

AGE = shutil.which("age")


def test_sealed_values_open_only_with_the_right_key():
    alice, mallory = Identity.generate(), Identity.generate()
    sealed = crypto.seal(b"the ledger", alice.recipient)
    assert crypto.unseal(sealed, alice) == b"the ledger"
    with pytest.raises(crypto.CannotOpen):
        crypto.unseal(sealed, mallory)


def test_sealed_is_not_bytes_and_accepts_only_age_ciphertext():
    with pytest.raises(TypeError):
        Sealed(b"plain text pretending")
    sealed = crypto.seal(b"x", Identity.generate().recipient)
    assert not isinstance(sealed, bytes)


def test_streams_round_trip_and_detect_tampering():
    key = Identity.generate()
    data = os.urandom(300_000)
    sink = io.BytesIO()
    crypto.seal_stream(io.BytesIO(data), key.recipient).write_to(sink)
    ciphertext = bytearray(sink.getvalue())
    out = io.BytesIO()
    crypto.unseal_stream(io.BytesIO(bytes(ciphertext)), out, key)
    assert out.getvalue() == data
    ciphertext[-100] ^= 1
    with pytest.raises(crypto.CannotOpen):
        crypto.unseal_stream(io.BytesIO(bytes(ciphertext)), io.BytesIO(), key)


def test_source_keys_are_deterministic_and_salted():
    params = KdfParams()
    one = crypto.derive_source_keys("a b c d e f g", b"s" * 16, params)
    again = crypto.derive_source_keys("a b c d e f g", b"s" * 16, params)
    other_instance = crypto.derive_source_keys("a b c d e f g", b"t" * 16, params)
    assert one.lookup_id == again.lookup_id
    assert str(one.identity.recipient) == str(again.identity.recipient)
    assert one.lookup_id != other_instance.lookup_id


def test_kdf_refuses_weak_parameters():
    with pytest.raises(ValueError):
        KdfParams(memory_kib=32 * 1024)


def test_passphrases_are_seven_words_from_the_eff_long_list():
    words = passphrase.generate().split()
    assert len(words) == 7
    assert set(words) <= set(passphrase.wordlist())
    assert passphrase.entropy_bits() > 90
    assert passphrase.normalise("  Abacus\tABDOMEN-x ") == "abacus abdomen x"


@pytest.mark.skipif(AGE is None, reason="no age CLI (scripts/install-test-deps installs it)")
def test_age_cli_opens_what_we_seal_with_a_derived_identity(tmp_path):
    identity = Identity.from_seed(os.urandom(32))
    (tmp_path / "key.txt").write_text(identity.export())
    (tmp_path / "blob.age").write_bytes(crypto.seal(b"interop", identity.recipient).ciphertext)
    result = subprocess.run(
        [AGE, "-d", "-i", tmp_path / "key.txt", tmp_path / "blob.age"],
        capture_output=True,
        check=True,
    )
    assert result.stdout == b"interop"
    # And the other way: age encrypts to our recipient, we open it.
    sealed = subprocess.run(
        [AGE, "-r", str(identity.recipient)], input=b"back", capture_output=True, check=True
    ).stdout
    assert crypto.unseal(Sealed(sealed), identity) == b"back"


def test_bad_keys_give_clear_errors():
    with pytest.raises(crypto.InvalidKey, match="age public key"):
        Recipient.parse("ssh-rsa AAAA")
    with pytest.raises(crypto.InvalidKey):
        Identity.parse("# nothing here\n")
