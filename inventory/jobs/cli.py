"""``flask --app inventory jobs-worker``: the consumer that runs queued jobs."""

import logging

import click
from flask import current_app

from inventory.jobs.queue import current_queue


@click.command("jobs-worker")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Jobs run at once (default: JOBS_WORKERS, 2).")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="thread",
              show_default=True, help="process: one process per worker, for CPU-bound jobs.")
def jobs_worker(workers, worker_type):
    """Run queued jobs until stopped (SIGINT finishes running jobs first; SIGTERM does not)."""
    queue = current_queue()
    if queue.huey.immediate:
        raise click.UsageError("JOBS_IMMEDIATE is set: jobs run where they are queued.")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    count = workers or current_app.config["JOBS_WORKERS"]
    click.echo(f"Jobs worker: {count} {worker_type} worker(s) on {type(queue.huey).__name__} "
               f"queue {queue.huey.name!r}")
    queue.huey.create_consumer(workers=count, worker_type=worker_type).run()
