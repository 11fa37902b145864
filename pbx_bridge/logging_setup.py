"""structlog: JSON lines for journald, readable lines on a terminal.

The project logs through structlog only. Messages of libraries that use the standard
`logging` module (SQLAlchemy, asyncio, panoramisk) go through the same renderer: otherwise
they fall to Python's last-resort handler and come out as bare text among the JSON lines,
where a log shipper parsing JSON drops or mangles them.
"""

from __future__ import annotations

import logging
import sys

import structlog

_HANDLER_NAME = "pbx-bridge"


def configure(*, json: bool | None = None, level: int = logging.INFO) -> None:
    use_json = not sys.stdout.isatty() if json is None else json  # the stream it writes to
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if use_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            timestamper,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=False,
    )
    _route_stdlib_logging(renderer, timestamper, level)


def _route_stdlib_logging(
    renderer: structlog.typing.Processor, timestamper: structlog.typing.Processor, level: int
) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                timestamper,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != _HANDLER_NAME] + [handler]
    # Libraries keep to warnings and worse (panoramisk's info lines quote whole actions).
    root.setLevel(max(level, logging.WARNING))
    logging.getLogger("pbx_bridge").setLevel(level)
