"""The `web:` section of bridge.yaml (validated with the rest by `config check`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import yaml

from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.config.schema import WebModel


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    session_lifetime: timedelta = timedelta(minutes=480)
    metrics_url: str | None = "http://127.0.0.1:9464/metrics"  # the daemon's, for waiting now


def parse_listen(text: str) -> tuple[str, int]:
    """HOST:PORT (IPv6 in brackets); ValueError with a one-line reason otherwise."""
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"web.listen {text!r} is not HOST:PORT")
    return host, int(port_text)


def web_settings(config: BridgeConfig) -> WebSettings:
    """The console's settings; the file was validated by the loader, so this cannot fail."""
    raw: Any = yaml.safe_load(config.path.read_text(encoding="utf-8")) or {}
    model = WebModel.model_validate(raw.get("web") or {})
    host, port = parse_listen(model.listen)
    metrics = config.metrics_listen
    metrics_host = "127.0.0.1" if metrics.host in ("0.0.0.0", "::") else metrics.host
    if ":" in metrics_host:
        metrics_host = f"[{metrics_host}]"
    return WebSettings(
        host=host,
        port=port,
        session_lifetime=timedelta(minutes=model.session_minutes),
        metrics_url=f"http://{metrics_host}:{metrics.port}/metrics",
    )
