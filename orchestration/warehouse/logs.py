"""How runs log: in short on the terminal, in full in a log file.

Dagster's own console logger prints every error with its whole chain of tracebacks, dozens of lines for one missing
folder. This logger prints each line of a run's log on the terminal with an error's first line only, and writes
everything, tracebacks included, to a log file beside the published warehouse (`refresh.log`, rotated, a few MiB at
most); `refresh --verbose` prints the tracebacks on the terminal too. Jobs use it under Dagster's logger name,
`console`, so a run's log level is set as before (`{"loggers": {"console": {"config": {"log_level": "INFO"}}}}`).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys

import dagster as dg

FORMAT = "%(asctime)s - %(levelname)s - %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"


class ShortFormatter(logging.Formatter):
    """A record with an error's first line, not its tracebacks (Dagster appends an error after a blank line)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        header, _, error = record.message.partition("\n\n")
        short = header + (f": {error.strip().splitlines()[0]}" if error.strip() else "")
        return super().formatMessage(logging.makeLogRecord({**record.__dict__, "message": short}))


class QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that never breaks the run it records: on a full disk or a lost folder its lines are dropped (the
    run's own error says what happened), not printed as a logging error with a traceback."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, is_required=False, default_value="INFO", description="The terminal's threshold."),
        "verbose": dg.Field(bool, is_required=False, default_value=False, description="Tracebacks on the terminal."),
        "log_file": dg.Field(str, is_required=False, default_value="", description="Everything, in full, here."),
    },
    description="Each log line on the terminal, an error's first line only; everything in full in a log file.",
)
def console(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    logger = logging.Logger("warehouse", level=logging.DEBUG)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(config["log_level"].upper())
    formatter = logging.Formatter if config["verbose"] else ShortFormatter
    terminal.setFormatter(formatter(FORMAT, DATE_FORMAT))
    logger.addHandler(terminal)
    if config["log_file"]:
        full = QuietFileHandler(config["log_file"], maxBytes=2 << 20, backupCount=2, delay=True)
        full.setLevel(logging.DEBUG)
        full.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
        logger.addHandler(full)
    return logger
