"""The build's image worker processes: share cards and photographs' variants made off the build
process, into the content-addressed cache (cache.py), never straight into the output.

On a build from scratch work reaches them twice: while Pelican reads the articles (each article
read tells what its images need, queued by images.work_ahead; `feed` keeps a few small batches
with the workers, photographs first) and once the articles are final (`hand_over_cards`: the cards
still missing). The photographs handed over are awaited before the articles get their images
(`wait_for_photographs`), the cards only at the end of the build (`finish`).
"""

import concurrent.futures
import logging
import multiprocessing

from .cache import ImageCache, draw_cards, make_variant_batch

logger = logging.getLogger(__name__)

IN_FLIGHT = 2  # batches fed to the workers at a time while reading: all the build may wait for
PHOTOS_PER_BATCH = 4  # about 20 ms each
CARDS_PER_BATCH = 32  # about 3 ms each


class ImageWorkers:
    """A pool of forked worker processes and what one build handed to it."""

    def __init__(self, store: ImageCache, site_name: str, font: str, widths, workers: int):
        self.store, self.site_name, self.font, self.widths, self.workers = store, site_name, font, widths, workers
        self.pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        self.card_jobs: list[tuple[list[str], concurrent.futures.Future]] = []
        self.photo_jobs: list[concurrent.futures.Future] = []
        self.handed_cards: set[str] = set()  # keys of the cards fed while reading
        self._in_flight: list[concurrent.futures.Future] = []

    def feed(self, photos: list, cards: list[tuple[str, str]]) -> None:
        """Keep IN_FLIGHT batches with the workers, taken from the queues given (and removed from
        them): inspected photographs (ImageInfo) first, then (card key, title) pairs."""
        self._in_flight = [job for job in self._in_flight if not job.done()]
        root = str(self.store.root)
        while len(self._in_flight) < IN_FLIGHT and (photos or cards):
            if photos:
                batch = photos[:PHOTOS_PER_BATCH]
                del photos[:PHOTOS_PER_BATCH]
                job = self.pool.submit(make_variant_batch, root, batch, self.widths)
                self.photo_jobs.append(job)
            else:
                batch = cards[:CARDS_PER_BATCH]
                del cards[:CARDS_PER_BATCH]
                job = self._submit_cards([title for _, title in batch])
                self.handed_cards.update(key for key, _ in batch)
            self._in_flight.append(job)

    def hand_over_cards(self, titles: list[str]) -> None:
        """Hand cards over in a few batches per worker: an even load, little overhead."""
        size = -(-len(titles) // (self.workers * 8))
        for start in range(0, len(titles), size):
            self._submit_cards(titles[start : start + size])

    def _submit_cards(self, titles: list[str]) -> concurrent.futures.Future:
        job = self.pool.submit(draw_cards, str(self.store.root), self.site_name, titles, self.font)
        self.card_jobs.append((titles, job))
        return job

    def wait_for_photographs(self) -> None:
        """Wait for the photographs handed over; those a failed worker left are made by the build
        process, which finds them missing from the cache."""
        jobs, self.photo_jobs = self.photo_jobs, []
        for job in jobs:
            try:
                self.store.processed += job.result()
            except Exception as error:  # noqa: BLE001 - made by the build process instead
                logger.warning("images: image worker failed (%s); making its images here", error)

    def finish(self) -> None:
        """Wait for every card; a failed batch is drawn here so that no card is ever missing."""
        try:
            self.wait_for_photographs()
            for titles, job in self.card_jobs:
                try:
                    self.store.processed += job.result()
                except Exception as error:  # noqa: BLE001 - a dead worker must not lose cards
                    logger.warning("images: share-card worker failed (%s); drawing its cards here", error)
                    self.store.processed += draw_cards(str(self.store.root), self.site_name, titles, self.font)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        """Stop the workers, dropping what they have not started (a build that stopped half-way)."""
        self.pool.shutdown(cancel_futures=True)
