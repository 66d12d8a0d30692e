"""Run the local event dispatcher: Streams, S3 uploads and schedules -> the Lambda handlers."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from mysite.dispatcher import RETRY_DELAY_SECONDS, Dispatcher
from mysite.event_sources import all_event_sources


class Command(BaseCommand):
    help = "Feed local DynamoDB Streams, S3 events and schedules to the apps' event handlers."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument(
            "--retry-delay",
            type=float,
            default=RETRY_DELAY_SECONDS,
            help="Seconds before the first retry of a failed handler; each next retry waits twice as long.",
        )

    def handle(
        self, *args, once: bool = False, interval: float = 0.5, retry_delay: float = RETRY_DELAY_SECONDS, **options
    ):
        sources = all_event_sources()
        for source in sources:
            self.stdout.write(f"  {type(source).__name__:<15} -> {source.function}")
        dispatcher = Dispatcher(sources, retry_delay_seconds=retry_delay)
        if once:
            self.stdout.write(f"Handled {dispatcher.run_once()} record(s).")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write("Dispatching.")
        self.stdout.flush()
        dispatcher.run_forever(interval=interval, stop=stop)
