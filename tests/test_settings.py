"""Settings: a misspelt key or a value of the wrong kind stops the start with a clear reason."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sealbox import settings as settings_mod


def test_a_misspelt_key_in_the_file_is_refused_with_the_nearest_setting(tmp_path):
    config = tmp_path / "sealbox.toml"
    config.write_text('public_ulr = "https://tips.example.org"\n')
    with pytest.raises(
        ValueError, match=r"public_ulr is not a setting \(did you mean public_url\?\)"
    ):
        settings_mod.load(config, environ={})


def test_a_misspelt_environment_variable_is_refused(tmp_path):
    with pytest.raises(ValueError, match="SEALBOX_SMTP_HOTS is not a setting.*SEALBOX_SMTP_HOST"):
        settings_mod.load(environ={"SEALBOX_SMTP_HOTS": "mail.example.org"})


def test_a_misspelt_argon2_cost_is_refused(tmp_path):
    config = tmp_path / "sealbox.toml"
    config.write_text("[kdf]\nmemory_kb = 65536\n")
    with pytest.raises(ValueError, match="kdf.memory_kb is not a setting.*kdf.memory_kib"):
        settings_mod.load(config, environ={})


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("SEALBOX_PORT", "eighty", "port: 'eighty' is not a whole number"),
        ("SEALBOX_SOURCE_LOGIN_PER_SECOND", "fast", "is not a number"),
        ("SEALBOX_SECURE_COOKIES", "maybe", "secure_cookies: 'maybe' is not true or false"),
    ],
)
def test_a_value_of_the_wrong_kind_names_the_setting(variable, value, reason):
    with pytest.raises(ValueError, match=reason):
        settings_mod.load(environ={variable: value})


def test_a_damaged_file_is_refused_with_its_name(tmp_path):
    config = tmp_path / "sealbox.toml"
    config.write_text("port = \n")
    with pytest.raises(ValueError, match="sealbox.toml: not valid TOML"):
        settings_mod.load(config, environ={})


def test_correct_settings_and_the_test_tools_own_variables_load(tmp_path):
    config = tmp_path / "sealbox.toml"
    config.write_text('port = 8443\nsecure_cookies = "yes"\n[kdf]\niterations = 2\n')
    loaded = settings_mod.load(
        config, environ={"SEALBOX_SMTP_HOST": "mail.example.org", "SEALBOX_TEST_PG": "x"}
    )
    assert (loaded.port, loaded.secure_cookies, loaded.smtp_host) == (
        8443,
        True,
        "mail.example.org",
    )
    assert loaded.kdf.iterations == 2


@pytest.mark.parametrize("command", [["jobs", "run", "--once"], ["audit", "verify"]])
def test_the_command_line_says_which_setting_is_wrong(tmp_path, command):
    env = {**os.environ, "SEALBOX_DATA_DIR": str(tmp_path), "SEALBOX_LOG_LEVLE": "debug"}
    done = subprocess.run(
        [sys.executable, "-m", "sealbox", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "SEALBOX_LOG_LEVLE is not a setting (did you mean SEALBOX_LOG_LEVEL?)" in done.stderr
    assert "Traceback" not in done.stderr
