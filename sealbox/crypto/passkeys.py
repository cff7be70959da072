"""WebAuthn (security keys and passkeys): the relying party's side of both ceremonies.

A thin, typed layer over the `webauthn` library, which checks the challenge, the origin, the
relying party id, user presence and the signatures. The signature counter is left to the
caller, which must audit a counter that goes back (a copied key) rather than merely refuse it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import webauthn
from webauthn.helpers import base64url_to_bytes, parse_registration_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from sealbox.crypto.errors import CryptoError


class KeyRejected(CryptoError):
    """A security key's answer did not verify (wrong origin, challenge, signature, ...)."""


@dataclass(frozen=True)
class RelyingParty:
    id: str  # the host name the keys are bound to
    name: str  # shown by the browser and the authenticator
    origin: str  # scheme://host[:port] the ceremonies must come from
    timeout_ms: int = 300_000


@dataclass(frozen=True)
class KnownKey:
    credential_id: bytes
    transports: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewKey:
    credential_id: bytes
    public_key: bytes  # COSE
    sign_count: int
    transports: tuple[str, ...]
    synced: bool


@dataclass(frozen=True)
class Assertion:
    credential_id: bytes
    sign_count: int
    user_verified: bool


def new_challenge() -> bytes:
    return secrets.token_bytes(32)


def _descriptors(keys: list[KnownKey]) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=key.credential_id,
            transports=[AuthenticatorTransport(t) for t in key.transports if t in known] or None,
        )
        for key in keys
    ]


def registration_options(
    rp: RelyingParty,
    user_handle: bytes,
    username: str,
    challenge: bytes,
    existing: list[KnownKey],
) -> str:
    """The JSON for navigator.credentials.create(): any key or passkey, user verification
    preferred, no attestation (the key's maker is nobody's business here)."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle,
        user_name=username,
        user_display_name=username,
        challenge=challenge,
        timeout=rp.timeout_ms,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    return webauthn.options_to_json(options)


def verify_registration(rp: RelyingParty, response: str, challenge: bytes) -> NewKey:
    """Check a navigator.credentials.create() answer against `challenge`; KeyRejected if not."""
    try:
        parsed = parse_registration_credential_json(response)
        verified = webauthn.verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise KeyRejected(type(exc).__name__) from None
    transports = tuple(str(t.value) for t in parsed.response.transports or ())
    return NewKey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=transports,
        synced=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
    )


def authentication_options(rp: RelyingParty, challenge: bytes, keys: list[KnownKey]) -> str:
    """The JSON for navigator.credentials.get(), limited to the account's own keys."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=rp.timeout_ms,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return webauthn.options_to_json(options)


def credential_id_of(response: str) -> bytes:
    """The credential id an answer claims (to find its stored public key); KeyRejected if none."""
    try:
        raw = json.loads(response)["rawId"]
        return base64url_to_bytes(raw)
    except (ValueError, TypeError, KeyError) as exc:
        raise KeyRejected(type(exc).__name__) from None


def verify_assertion(
    rp: RelyingParty, response: str, challenge: bytes, public_key: bytes
) -> Assertion:
    """Check a navigator.credentials.get() answer: challenge, origin, relying party, user
    presence and signature. The counter it reports is returned unchecked (see module doc)."""
    try:
        verified = webauthn.verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            # Zero lets every counter through here; the caller compares with the stored one.
            credential_current_sign_count=0,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise KeyRejected(type(exc).__name__) from None
    return Assertion(verified.credential_id, verified.new_sign_count, verified.user_verified)
