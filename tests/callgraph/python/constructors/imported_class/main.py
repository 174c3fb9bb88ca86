from models import Order

def checkout():
    order = Order("ann")
    return order.total()
