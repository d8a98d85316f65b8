"""`virtualtrip caption-worker`: live captions for every open room (`speech.captions.worker`).

Run one per Janus host, where Janus can send RTP to `settings.SPEECH_CAPTION_HOST`; `virtualtrip
serve` runs one beside the app."""

import asyncio
from typing import Any

from django.core.management.base import BaseCommand

from virtualtrip.speech.captions.worker import configured_worker


class Command(BaseCommand):
    help = "Caption every open room live: Janus forwards each publisher's audio here, over RTP."

    def handle(self, *args: Any, **options: Any) -> None:
        worker = configured_worker()
        self.stdout.write(f"captioning open rooms; listening on {worker.host}")
        asyncio.run(worker.run())
