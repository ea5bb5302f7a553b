"""A stand-in for Celery: ``@task`` functions get ``.delay()`` and ``.delay_on_commit()``."""

from django.db import transaction


def task(func):
    def delay(*args, **kwargs):
        return func(*args, **kwargs)  # a real queue would hand this to a worker

    def delay_on_commit(*args, **kwargs):
        transaction.on_commit(lambda: delay(*args, **kwargs))

    func.delay = delay
    func.delay_on_commit = delay_on_commit
    return func
