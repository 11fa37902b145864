"""pbx-bridge: multi-tenant routing for shared municipal telephone service centers."""

__version__ = "0.1.0"
