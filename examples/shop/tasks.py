from config.queue import task


@task
def send_invoice(order_id):
    pass


@task
def reindex_product(product_id):
    pass
