"""Run the local event dispatcher: Streams, S3 uploads and schedules -> the Lambda handlers."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from mysite.dispatcher import Dispatcher
from mysite.event_sources import all_event_sources


class Command(BaseCommand):
    help = "Feed local DynamoDB Streams, S3 events and schedules to the apps' event handlers."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args, once: bool = False, interval: float = 0.5, **options):
        sources = all_event_sources()
        for source in sources:
            self.stdout.write(f"  {type(source).__name__:<15} -> {source.function}")
        dispatcher = Dispatcher(sources)
        if once:
            self.stdout.write(f"Handled {dispatcher.run_once()} record(s).")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        dispatcher.run_forever(interval=interval, stop=stop)
