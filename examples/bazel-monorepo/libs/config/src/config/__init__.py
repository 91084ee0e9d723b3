"""Settings of the services, read from YAML."""

import yaml


def load(text):
    """Returns the settings in a YAML document, with defaults filled in."""
    settings = {"greeting": "Hello", "events": []}
    settings.update(yaml.safe_load(text) or {})
    return settings


def loader():
    """Names the YAML implementation: libyaml's C extension when the wheel has it."""
    return "libyaml" if yaml.__with_libyaml__ else "pure Python"
