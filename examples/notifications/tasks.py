from config.queue import task

from . import webhooks


@task
def announce(event, payload):
    # Runs in a worker: nobody's request waits on the subscribers' web servers.
    webhooks.notify_subscribers(event, payload)
