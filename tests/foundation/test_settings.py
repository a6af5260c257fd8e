"""Settings: strict parsing, one clear line per wrong variable, secrets kept under var/."""

import pytest

from bot.settings import Settings, SettingsError


def env(tmp_path, **values):
    return {"MARUGOTO_VAR_DIR": str(tmp_path / "var"), **values}


def test_embedded_default_needs_no_configuration(tmp_path):
    settings = Settings.from_env(env(tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'marugoto.db'}"
    assert settings.redis_url is None
    assert settings.embedded_worker is True
    assert settings.simulator_enabled is True
    assert len(settings.secret_key) >= 16
    assert settings.line_api_url == "https://api.line.me"


def test_generated_secrets_are_kept_and_reused(tmp_path):
    first = Settings.from_env(env(tmp_path))
    second = Settings.from_env(env(tmp_path))
    assert first.secret_key == second.secret_key
    assert first.encryption_keys == second.encryption_keys
    assert first.hash_key == second.hash_key
    assert oct((tmp_path / "var" / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MARUGOTO_REDIS_URL", "redis//x"),
        ("MARUGOTO_REDIS_URL", "redis://host:notaport/0"),
        ("MARUGOTO_DATABASE_URL", "mysql://x/y"),
        ("MARUGOTO_LINE_API_URL", "ftp://stub"),
        ("MARUGOTO_ENV", "prod"),
        ("MARUGOTO_SIMULATOR", "maybe"),
        ("MARUGOTO_ENCRYPTION_KEYS", "k1:short"),
        ("MARUGOTO_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_wrong_value_names_its_variable(tmp_path, name, value):
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env(tmp_path, **{name: value}))
    assert name in str(error.value)
    assert "\n" not in str(error.value)


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(SettingsError, match="MARUGOTO_DATABASE_URL"):
        Settings.from_env(env(tmp_path, MARUGOTO_ENV="production"))
    with pytest.raises(SettingsError, match="MARUGOTO_SECRET_KEY"):
        Settings.from_env(env(tmp_path, MARUGOTO_ENV="production", MARUGOTO_DATABASE_URL="postgresql://db/x"))
    # Nothing was generated on disk for production.
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_with_everything_set(tmp_path):
    key = "A" * 43
    settings = Settings.from_env(
        env(
            tmp_path,
            MARUGOTO_ENV="production",
            MARUGOTO_DATABASE_URL="postgresql://app@db/marugoto",
            MARUGOTO_REDIS_URL="redis://cache:6379/0",
            MARUGOTO_SECRET_KEY="s" * 32,
            MARUGOTO_ENCRYPTION_KEYS=f"k2:{key},k1:{key.replace('A', 'B')}",
            MARUGOTO_HASH_KEY=key,
            MARUGOTO_LINE_CHANNEL_SECRET="secret",
            MARUGOTO_LINE_CHANNEL_ACCESS_TOKEN="token",
        )
    )
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert [kid for kid, _ in settings.encryption_keys] == ["k2", "k1"]
    assert settings.simulator_enabled is False
    assert settings.embedded_worker is False
    assert settings.is_production
